package org.freeflow.ffo.api;

import java.time.Instant;

/**
 * A registered memory region (one row of MEMORY_MAPS, the paper's memory
 * map): what a router needs to address it from another host.  Keys are
 * unique per container; lkey and rkey are the two keys of one registration.
 *
 * @param container    the registering container
 * @param rkey         the remote key (what a peer names the region by)
 * @param lkey         the local key
 * @param host         the router that serves the container
 * @param pd           the protection domain's handle in the registering context
 * @param address      the region's start in the container's address space (its IOVA)
 * @param length       bytes
 * @param access       IBV_ACCESS_* flags granted
 * @param registeredAt when ibv_reg_mr registered it
 * @since 1.2
 */
public record MemoryRegionRecord(String container, int rkey, int lkey, String host, int pd, long address,
        long length, int access, Instant registeredAt) {
}
