/**
 * The hierarchical timing wheel: {@link dev.escapement.wheel.TimingWheel}, one level's slots
 * ({@code Level}), the node a timer extends ({@link dev.escapement.wheel.WheelNode}), and the
 * debugging helpers beside them. Single-threaded throughout: no atomics, no padding, no method
 * another thread may call; it knows deadlines and ticks, not clocks or threads.
 */
package dev.escapement.wheel;
