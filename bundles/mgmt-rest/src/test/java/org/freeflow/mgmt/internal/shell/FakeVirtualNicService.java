package org.freeflow.mgmt.internal.shell;

import java.util.ArrayList;
import java.util.List;

import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.VirtualNicService;

/** A router with fixed contents. */
final class FakeVirtualNicService implements VirtualNicService {

    final List<ContainerView> containers = new ArrayList<>();
    final List<QueuePairView> qps = new ArrayList<>();

    @Override
    public String hostName() {
        return "host1";
    }

    @Override
    public List<ContainerView> containers() {
        return containers;
    }

    @Override
    public List<QueuePairView> queuePairs() {
        return qps;
    }
}
