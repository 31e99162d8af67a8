/**
 * The hierarchical timing wheel on integer ticks: {@link dev.escapement.wheel.TimingWheel}, its
 * levels and its entry storage. Single-threaded apart from the id allocation and status methods
 * its javadoc marks "any thread"; it knows nothing of clocks or threads.
 */
package dev.escapement.wheel;
