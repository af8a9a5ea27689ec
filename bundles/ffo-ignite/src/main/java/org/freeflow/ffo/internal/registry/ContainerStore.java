package org.freeflow.ffo.internal.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;

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

    /**
     * Makes the container RESERVED until {@code until} (null: until
     * released); false when there is no such record.
     */
    boolean reserve(String name, Instant until);

    /** The RESERVED records with when each reservation ends (null: until released), ordered by name. */
    List<ContainerReservations.Reservation> reservations();

    /** A RESERVED container taken over by {@code host}: RUNNING there, its reservation gone. */
    boolean moveTo(String name, String host);

    /** Removes the RESERVED records whose reservation ended before {@code now}; their names. */
    List<String> deleteReservationsEndedBefore(Instant now);
}
