package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.VirtualNicService;

/** {@code freeflow:qps [container]}: queue pairs of this router, with their state and counters. */
@Service
@Command(scope = "freeflow", name = "qps", description = "Lists the queue pairs of this router's containers")
public class QpsCommand implements Action {

    @Reference
    VirtualNicService nics;

    @Argument(index = 0, name = "container", description = "Only this container's queue pairs", required = false)
    @Completion(ContainerNameCompleter.class)
    String container;

    @Override
    public Object execute() {
        print(System.out);
        return null;
    }

    void print(PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Container");
        table.column("QPN").alignRight();
        table.column("Type");
        table.column("State");
        table.column("Dest LID").alignRight();
        table.column("Dest QPN").alignRight();
        table.column("Send WRs").alignRight();
        table.column("Recv WRs").alignRight();
        table.column("Bytes sent").alignRight();
        table.column("Send dropped").alignRight();
        table.column("Recv dropped").alignRight();
        table.column("RNR NAKs").alignRight();
        table.column("ACK timeouts").alignRight();
        table.emptyTableText(container == null ? "No queue pairs" : "No queue pairs in container " + container);
        for (QueuePairView qp : nics.queuePairs()) {
            if (container != null && !container.equals(qp.container())) {
                continue;
            }
            table.addRow().addContent(qp.container(), qpn(qp.qpn()), qp.type(), qp.state(),
                    qp.destLid() == 0 ? "-" : Integer.toString(qp.destLid()),
                    qp.destQpn() == 0 ? "-" : qpn(qp.destQpn()), qp.sendWrs(), qp.recvWrs(), qp.bytesSent(),
                    qp.sendDropped(), qp.recvDropped(), qp.rnrNaks(), qp.ackTimeouts());
        }
        table.print(out);
    }

    /** QPNs as perftest prints them. */
    static String qpn(int qpn) {
        return String.format("0x%06x", qpn);
    }
}
