package org.freeflow.ffo.internal.ignite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.cache.CacheException;

import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.transactions.TransactionException;
import org.junit.jupiter.api.Test;

class SqlTableTest {

    @Test
    void onlyAStatementTheTopologyChangeFailedIsRunAgain() {
        assertTrue(SqlTable.topologyChanged(new CacheException("Failed to execute DML statement",
                new IllegalStateException("Failed to update keys (retry update if possible).: [cc]"))));
        assertTrue(SqlTable.topologyChanged(new CacheException(new ClusterTopologyException("node left"))));
        // seen as a router joined while another registered its host (the lab's h3 then refused every attach)
        assertTrue(SqlTable.topologyChanged(new CacheException(new TransactionException("Server topology is changed"
                + " during query execution inside a transaction. It's recommended to rollback and retry"
                + " transaction."))));
        assertFalse(SqlTable.topologyChanged(new CacheException("Duplicate key during INSERT [key=c1]")));
        assertFalse(SqlTable.topologyChanged(new CacheException("Table \"NO_SUCH\" not found")));
    }
}
