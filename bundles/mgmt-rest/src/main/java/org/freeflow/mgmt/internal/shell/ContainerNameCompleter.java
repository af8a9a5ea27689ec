package org.freeflow.mgmt.internal.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.VirtualNicService;

/** Completes the names of the containers attached to this router. */
@Service
public class ContainerNameCompleter implements Completer {

    @Reference
    VirtualNicService nics;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (ContainerView c : nics.containers()) {
            names.getStrings().add(c.name());
        }
        return names.complete(session, commandLine, candidates);
    }
}
