package org.freeflow.ffo.internal.registry;

import java.util.List;
import java.util.Optional;

import org.freeflow.ffo.api.ContainerRecord;

/** Where container records live (the CONTAINERS table); no allocation logic here. */
public interface ContainerStore {

    /** All records, ordered by name. */
    List<ContainerRecord> all();

    Optional<ContainerRecord> byName(String name);

    Optional<ContainerRecord> byLid(int lid);

    /** The records of containers served by {@code host}, ordered by name. */
    List<ContainerRecord> onHost(String host);

    /** Sets the state of the container; false when there is no such record. */
    boolean setState(String name, String state);

    /** Adds a record whose name is not yet present. */
    void insert(ContainerRecord record);

    /** Removes the record; true when it existed. */
    boolean delete(String name);
}
