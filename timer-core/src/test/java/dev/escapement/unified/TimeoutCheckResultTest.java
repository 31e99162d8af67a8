package dev.escapement.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimeoutCheckResultTest {

    private enum Event { A, B, C, D, E, F }

    @Test
    void growsPastItsFirstCapacityAndKeepsEverything() {
        TimeoutCheckResult result = new TimeoutCheckResult();
        for (int i = 0; i < 100; i++) {
            result.addEvent(Event.values()[i % 6], i);
            result.addFrame(1_000 + i);
        }
        assertThat(result.eventCount()).isEqualTo(100);
        assertThat(result.frameCount()).isEqualTo(100);
        assertThat(result.event(99)).isEqualTo(Event.values()[99 % 6]);
        assertThat(result.deadlineNs(99)).isEqualTo(99);
        assertThat(result.frame(99)).isEqualTo(1_099);
    }

    @Test
    void clearEmptiesItAndForgetsTheEvents() {
        TimeoutCheckResult result = new TimeoutCheckResult().addEvent(Event.A, 1).addFrame(7);
        assertThat(result.isEmpty()).isFalse();
        result.clear();
        assertThat(result.isEmpty()).isTrue();
        assertThat(result.contains(Event.A)).isFalse();
        assertThat(result.events()).isEmpty();
    }

    @Test
    void aResultWithOnlyFramesIsNotEmpty() {
        assertThat(new TimeoutCheckResult().addFrame(3).isEmpty()).isFalse();
    }

    @Test
    void sortIsByDeadlineStableAndOverflowSafe() {
        long nearMax = Long.MAX_VALUE - 1;
        TimeoutCheckResult result = new TimeoutCheckResult()
                .addEvent(Event.A, nearMax + 3)   // wrapped: the latest
                .addEvent(Event.B, nearMax)
                .addEvent(Event.C, nearMax + 1)
                .addEvent(Event.D, nearMax)       // same deadline as B, added after it
                .sortEventsByDeadline();
        assertThat(result.events()).containsExactly(Event.B, Event.D, Event.C, Event.A);
        assertThat(result.deadlineNs(3)).isEqualTo(nearMax + 3);
    }

    @Test
    void addAllAppendsEventsAndFrames() {
        TimeoutCheckResult first = new TimeoutCheckResult().addEvent(Event.A, 5).addFrame(1);
        TimeoutCheckResult second = new TimeoutCheckResult().addEvent(Event.B, 3).addFrame(2).addFrame(3);
        first.addAll(second);
        assertThat(first.events()).containsExactly(Event.A, Event.B);
        assertThat(first.frameCount()).isEqualTo(3);
        assertThat(first.frame(2)).isEqualTo(3);
        assertThat(first.contains(Event.B)).isTrue();
    }

    @Test
    void indexesOutsideTheContentAreRefused() {
        TimeoutCheckResult result = new TimeoutCheckResult().addEvent(Event.A, 1);
        assertThatThrownBy(() -> result.event(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> result.deadlineNs(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> result.frame(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> result.addEvent(null, 1))
                .isInstanceOf(NullPointerException.class).hasMessage("event");
    }

    @Test
    void toStringListsEventsWithDeadlinesAndFrames() {
        TimeoutCheckResult result = new TimeoutCheckResult().addEvent(Event.A, 10).addEvent(Event.B, 20).addFrame(4);
        assertThat(result).hasToString("TimeoutCheckResult[events=[A@10, B@20], frames=[4]]");
    }
}
