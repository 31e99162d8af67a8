/**
 * Escapement's Micrometer metrics: {@link dev.escapement.micrometer.GlobalTimerMetrics}, a
 * {@code MeterBinder} for a {@code GlobalTimer}.
 */
// "requires-transitive-automatic": Micrometer is an automatic module, but its jars declare their
// module names, so the names are stable.
@SuppressWarnings("requires-transitive-automatic")
module dev.escapement.micrometer {
    exports dev.escapement.micrometer;

    // GlobalTimer, and MeterBinder, MeterRegistry and Tag, appear in the API.
    requires transitive dev.escapement.core;
    requires transitive micrometer.core;
}
