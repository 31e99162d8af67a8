package dev.escapement.unified;

import static dev.escapement.unified.TimeoutLayer.NO_DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The static helpers every layer uses: deadlines never equal the sentinel, comparisons wrap. */
class TimeoutLayerTest {

    @Test
    void aDeadlineThatWouldEqualTheSentinelMovesOneNanosecondLater() {
        assertThat(TimeoutLayer.deadlineAfter(Long.MAX_VALUE - 5, 5)).isEqualTo(Long.MIN_VALUE);
        assertThat(TimeoutLayer.deadlineAfter(Long.MAX_VALUE, 0)).isEqualTo(Long.MIN_VALUE);
        assertThat(TimeoutLayer.deadlineAfter(100, 5)).isEqualTo(105);
        // Wrapping past the sentinel is a plain deadline, later than "now".
        long wrapped = TimeoutLayer.deadlineAfter(Long.MAX_VALUE - 5, 10);
        assertThat(wrapped - (Long.MAX_VALUE - 5)).isEqualTo(10);
    }

    @Test
    void delaysAreHeldAt146YearsSoAnyTwoDeadlinesCompareBySubtraction() {
        long deadlineNs = TimeoutLayer.deadlineAfter(0, Long.MAX_VALUE);
        assertThat(deadlineNs).isEqualTo(TimeoutLayer.MAX_DELAY_NS);
        assertThat(TimeoutLayer.isDue(deadlineNs, 0)).isFalse();
        // A short deadline set 11 ms in, against the longest: still the earlier one (D8).
        long shortNs = TimeoutLayer.deadlineAfter(10_000_000, 1);
        long longestNs = TimeoutLayer.deadlineAfter(11_000_000, Long.MAX_VALUE);
        assertThat(TimeoutLayer.earlier(shortNs, longestNs)).isEqualTo(shortNs);
        assertThat(TimeoutLayer.earlier(longestNs, shortNs)).isEqualTo(shortNs);
        // From a reading near the end of the clock, the held delay wraps and stays in the future.
        long nearEndNs = Long.MAX_VALUE - 5;
        assertThat(TimeoutLayer.deadlineAfter(nearEndNs, Long.MAX_VALUE) - nearEndNs).isEqualTo(TimeoutLayer.MAX_DELAY_NS);
    }

    @Test
    void dueMeansAtOrBeforeNowAndNeverForTheSentinel() {
        assertThat(TimeoutLayer.isDue(100, 100)).isTrue();
        assertThat(TimeoutLayer.isDue(99, 100)).isTrue();
        assertThat(TimeoutLayer.isDue(101, 100)).isFalse();
        assertThat(TimeoutLayer.isDue(NO_DEADLINE, Long.MAX_VALUE)).isFalse();
        assertThat(TimeoutLayer.isDue(Long.MIN_VALUE, Long.MAX_VALUE)).as("wrapped: 1 ns in the future").isFalse();
    }

    @Test
    void earlierHandlesTheSentinelAndWrapping() {
        assertThat(TimeoutLayer.earlier(NO_DEADLINE, NO_DEADLINE)).isEqualTo(NO_DEADLINE);
        assertThat(TimeoutLayer.earlier(NO_DEADLINE, 5)).isEqualTo(5);
        assertThat(TimeoutLayer.earlier(5, NO_DEADLINE)).isEqualTo(5);
        assertThat(TimeoutLayer.earlier(Long.MIN_VALUE, Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(TimeoutLayer.earlier(-3, 7)).isEqualTo(-3);
    }
}
