package org.freeflow.mgmt.internal.shell;

import java.util.NoSuchElementException;

import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.VirtualNicAdminService;

/** The write side of {@link FakeVirtualNicService}: changes its container views. */
final class FakeVirtualNicAdminService implements VirtualNicAdminService {

    private final FakeVirtualNicService nics;

    FakeVirtualNicAdminService(FakeVirtualNicService nics) {
        this.nics = nics;
    }

    @Override
    public ContainerView attach(String name, String tenant, ContainerIdentity identity) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean detach(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ContainerView setPortActive(String name, boolean active) {
        for (int i = 0; i < nics.containers.size(); i++) {
            ContainerView c = nics.containers.get(i);
            if (c.name().equals(name)) {
                ContainerView changed = new ContainerView(c.name(), c.tenant(), c.virtualIp(), c.lid(), c.gid(),
                        c.device(), c.socketPath(), c.connections(), c.pds(), c.mrs(), c.cqs(), c.qps(),
                        active ? ContainerView.PORT_ACTIVE : ContainerView.PORT_DOWN);
                nics.containers.set(i, changed);
                return changed;
            }
        }
        throw new NoSuchElementException(name);
    }
}
