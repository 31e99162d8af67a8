package dev.escapement.wheel;

import static dev.escapement.wheel.TimingWheel.NO_DEADLINE;
import static dev.escapement.wheel.TimingWheel.NO_TIMER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimingWheelTest {

    /** Records expiries as (id, deadline, payload, tick of the advance that expired it). */
    static final class Recorder implements ExpiryHandler {
        final List<Long> ids = new ArrayList<>();
        final List<Long> deadlines = new ArrayList<>();
        final List<Object> payloads = new ArrayList<>();

        @Override
        public void onExpiry(long timerId, long deadlineTick, Object payload) {
            ids.add(timerId);
            deadlines.add(deadlineTick);
            payloads.add(payload);
        }
    }

    static Stream<Long> startTicks() {
        return Stream.of(0L, 1L, 63L, 4096L, 123_456_789L, Long.MAX_VALUE / 2, Long.MAX_VALUE - (1L << 40));
    }

    static Stream<Arguments> startTicksAndDelays() {
        long[] delays = {0, 1, 2, 63, 64, 65, 127, 4095, 4096, 4097, 262_143, 262_144, 262_145,
                1L << 24, (1L << 30) + 7, (1L << 36) + 3, (1L << 42) - 1, (1L << 48) + 11, (1L << 54) + 5, (1L << 60) + 1};
        return startTicks().flatMap(start -> LongStream.of(delays)
                .filter(delay -> start + delay >= 0)
                .mapToObj(delay -> Arguments.of(start, delay)));
    }

    @ParameterizedTest(name = "start {0}, delay {1}")
    @MethodSource("startTicksAndDelays")
    void firesExactlyAtItsOwnTickAtEveryLevel(long startTick, long delay) {
        TimingWheel wheel = new TimingWheel(64, 1024, startTick);
        long deadline = startTick + delay;
        long id = wheel.schedule(deadline, "x");
        wheel.checkInvariants();
        Recorder recorder = new Recorder();
        if (delay > 0) {
            // Jump to one tick before the deadline: every cascade on the way, nothing fires.
            assertThat(wheel.advance(deadline - 1, recorder, Integer.MAX_VALUE)).isZero();
            wheel.checkInvariants();
            assertThat(recorder.ids).isEmpty();
        }
        assertThat(wheel.advance(deadline, recorder, Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(recorder.ids).containsExactly(id);
        assertThat(recorder.deadlines).containsExactly(deadline);
        assertThat(wheel.size()).isZero();
        wheel.checkInvariants();
    }

    @ParameterizedTest
    @MethodSource("startTicks")
    void expiresInDeadlineOrderAcrossLevelsAfterOneBigJump(long startTick) {
        TimingWheel wheel = new TimingWheel(64, 4096, startTick);
        long[] offsets = {5000, 3, 64, 1, 262_144, 4096, 63, 100_000, 2, 4097};
        for (long offset : offsets) {
            wheel.schedule(startTick + offset, offset);
        }
        Recorder recorder = new Recorder();
        wheel.advance(startTick + 1_000_000, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly(1L, 2L, 3L, 63L, 64L, 4096L, 4097L, 5000L, 100_000L, 262_144L);
        wheel.checkInvariants();
    }

    @Test
    void sameTickExpiresInSchedulingOrderEvenWhenOneEntryCascaded() {
        TimingWheel wheel = new TimingWheel(64, 1024, 0);
        // "first" lands in level 2 and cascades; "second" is scheduled later, straight into level 0.
        wheel.schedule(10_000, "first");
        Recorder recorder = new Recorder();
        wheel.advance(9_990, recorder, Integer.MAX_VALUE);
        wheel.schedule(10_000, "second");
        wheel.schedule(10_000, "third");
        wheel.advance(10_000, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly("first", "second", "third");
    }

    @Test
    void crowdedSlotKeepsFifoOrderAfterCancellingEveryOtherEntry() {
        TimingWheel wheel = new TimingWheel(64, 1 << 14, 0);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(wheel.schedule(5_000, i));
        }
        for (int i = 0; i < ids.size(); i += 2) {
            assertThat(wheel.cancel(ids.get(i))).isTrue();
        }
        wheel.checkInvariants();
        Recorder recorder = new Recorder();
        wheel.advance(5_000, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).hasSize(5_000);
        for (int i = 0; i < 5_000; i++) {
            assertThat(recorder.payloads.get(i)).isEqualTo(2 * i + 1);
        }
    }

    @Test
    void deadlinesNearLongMaxValueAreAcceptedAndOrdered() {
        long start = Long.MAX_VALUE - 10_000;
        TimingWheel wheel = new TimingWheel(64, 64, start);
        wheel.schedule(Long.MAX_VALUE, "max");
        wheel.schedule(Long.MAX_VALUE - 1, "max-1");
        wheel.schedule(start + 1, "soon");
        Recorder recorder = new Recorder();
        wheel.advance(Long.MAX_VALUE, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly("soon", "max-1", "max");
    }

    @Test
    void cancelReturnsTrueOnceThenFalse() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long id = wheel.schedule(100, null);
        assertThat(wheel.cancel(id)).isTrue();
        assertThat(wheel.cancel(id)).isFalse();
        assertThat(wheel.size()).isZero();
        Recorder recorder = new Recorder();
        wheel.advance(1_000, recorder, Integer.MAX_VALUE);
        assertThat(recorder.ids).isEmpty();
    }

    @Test
    void cancelAfterExpiryReturnsFalse() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long id = wheel.schedule(10, null);
        wheel.advance(10, new Recorder(), Integer.MAX_VALUE);
        assertThat(wheel.cancel(id)).isFalse();
    }

    @Test
    void staleIdNeverCancelsTheEntryThatReusedItsIndex() {
        TimingWheel wheel = new TimingWheel(64, 1, 0);
        long first = wheel.schedule(10, "first");
        assertThat(wheel.cancel(first)).isTrue();
        long second = wheel.schedule(20, "second");
        // Capacity 1: the same index, a new generation.
        assertThat(EntryStore.indexOf(second)).isEqualTo(EntryStore.indexOf(first));
        assertThat(second).isNotEqualTo(first);
        assertThat(wheel.cancel(first)).isFalse();
        assertThat(wheel.isPending(second)).isTrue();
        Recorder recorder = new Recorder();
        wheel.advance(20, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly("second");
    }

    @ParameterizedTest
    @ValueSource(longs = {NO_TIMER, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40})
    void unknownAndMalformedIdsAreHarmless(long id) {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long live = wheel.schedule(5, "live");
        assertThat(wheel.cancel(id)).isFalse();
        assertThat(wheel.tryCancel(id)).isFalse();
        assertThat(wheel.reclaim(id)).isFalse();
        assertThat(wheel.reschedule(id, 10)).isFalse();
        assertThat(wheel.linkPending(id, 10, null)).isFalse();
        assertThat(wheel.remove(id)).isFalse();
        assertThat(wheel.isLinked(id)).isFalse();
        assertThat(wheel.isPending(id)).isFalse();
        assertThat(wheel.payloadOf(id)).isNull();
        assertThat(wheel.deadlineTickOf(id)).isEqualTo(NO_DEADLINE);
        assertThat(wheel.isPending(live)).isTrue();
        wheel.checkInvariants();
    }

    @Test
    void handlerMayCancelOthersAndScheduleNewEntriesDuringExpiry() {
        TimingWheel wheel = new TimingWheel(64, 64, 0);
        long[] victim = new long[1];
        List<Object> fired = new ArrayList<>();
        wheel.schedule(10, "canceller");
        victim[0] = wheel.schedule(10, "victim");
        wheel.schedule(12, "later");
        ExpiryHandler handler = (id, deadline, payload) -> {
            fired.add(payload);
            if ("canceller".equals(payload)) {
                assertThat(wheel.cancel(victim[0])).isTrue();
                wheel.schedule(10, "due-now");
                wheel.schedule(11, "next-tick");
                // Cancelling itself from its own handler is too late.
                assertThat(wheel.cancel(id)).isFalse();
            }
        };
        wheel.advance(12, handler, Integer.MAX_VALUE);
        assertThat(fired).containsExactly("canceller", "due-now", "next-tick", "later");
        assertThat(wheel.size()).isZero();
        wheel.checkInvariants();
    }

    @Test
    void handlerMayReArmTheExpiringEntryKeepingItsId() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long id = wheel.schedule(10, "periodic");
        List<Long> deadlines = new ArrayList<>();
        ExpiryHandler handler = (timerId, deadline, payload) -> {
            deadlines.add(deadline);
            if (deadlines.size() < 3) {
                assertThat(wheel.reschedule(timerId, deadline + 100)).isTrue();
            }
        };
        wheel.advance(1_000, handler, Integer.MAX_VALUE);
        assertThat(deadlines).containsExactly(10L, 110L, 210L);
        assertThat(wheel.isPending(id)).isFalse();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void advanceStopsAtTheLimitAndResumesWithoutLosingOrder() {
        TimingWheel wheel = new TimingWheel(64, 256, 0);
        for (int i = 0; i < 100; i++) {
            wheel.schedule(1 + i % 10, i);
        }
        Recorder recorder = new Recorder();
        int total = 0;
        int calls = 0;
        while (total < 100) {
            int expired = wheel.advance(50, recorder, 7);
            assertThat(expired).isLessThanOrEqualTo(7);
            total += expired;
            calls++;
            wheel.checkInvariants();
        }
        assertThat(calls).isEqualTo(15);
        for (int i = 1; i < recorder.deadlines.size(); i++) {
            assertThat(recorder.deadlines.get(i)).isGreaterThanOrEqualTo(recorder.deadlines.get(i - 1));
        }
        assertThat(wheel.elapsedTick()).isEqualTo(50);
    }

    @Test
    void nextDeadlineTickIsTheCurrentTickWhenDueElseTheFirstSlotStart() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        assertThat(wheel.nextDeadlineTick()).isEqualTo(NO_DEADLINE);
        wheel.schedule(30, null);
        assertThat(wheel.nextDeadlineTick()).isEqualTo(30);
        TimingWheel far = new TimingWheel(64, 16, 0);
        far.schedule(5_000, null);
        // 5000 lands in level 2, slot 1, which starts at 4096: the wheel must wake there to
        // cascade; it lands in level 1, slot 14, starting at 4992; then level 0.
        assertThat(far.nextDeadlineTick()).isEqualTo(4_096);
        far.advance(4_096, new Recorder(), 1);
        assertThat(far.nextDeadlineTick()).isEqualTo(4_992);
        far.advance(4_992, new Recorder(), 1);
        assertThat(far.nextDeadlineTick()).isEqualTo(5_000);
        far.schedule(0, null);
        assertThat(far.nextDeadlineTick()).isEqualTo(far.elapsedTick());
    }

    @Test
    void allocateLinkAndCrossThreadCancelProtocolOfTheIdPath() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long linked = wheel.allocate();
        long early = wheel.allocate();
        wheel.markPending(linked);
        wheel.markPending(early);
        assertThat(wheel.size()).isZero();
        // Cancelled before the owner linked it: the canceller sees no link and asks for nothing.
        assertThat(wheel.tryCancel(early)).isTrue();
        assertThat(wheel.isLinked(early)).isFalse();
        assertThat(wheel.linkPending(early, 20, "early")).isFalse();
        wheel.drop(early);
        assertThat(wheel.isCancelled(early)).isFalse();
        // Linked first: a later cancel sees the link and the owner reclaims the entry.
        assertThat(wheel.linkPending(linked, 20, "linked")).isTrue();
        assertThat(wheel.isLinked(linked)).isTrue();
        assertThat(wheel.tryCancel(linked)).isTrue();
        assertThat(wheel.isLinked(linked)).isTrue();
        assertThat(wheel.tryFire(linked)).isFalse();
        assertThat(wheel.payloadOf(linked)).isEqualTo("linked");
        assertThat(wheel.reclaim(linked)).isTrue();
        assertThat(wheel.size()).isZero();
        assertThat(wheel.reclaim(linked)).isFalse();
        wheel.checkInvariants();
    }

    @Test
    void handleEntriesIgnoreTheIdPathStatusMethods() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long id = wheel.allocate();
        wheel.linkHandle(id, 5, "handle");
        assertThat(wheel.tryCancel(id)).isFalse();
        assertThat(wheel.tryFire(id)).isFalse();
        assertThat(wheel.tryBeginMove(id)).isFalse();
        assertThat(wheel.reclaim(id)).isFalse();
        assertThat(wheel.reschedule(id, 7)).isTrue();
        Recorder recorder = new Recorder();
        wheel.advance(7, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly("handle");
        long other = wheel.allocate();
        wheel.linkHandle(other, 50, "removed");
        wheel.checkInvariants();
        assertThat(wheel.remove(other)).as("the id-path remove refuses a handle's entry").isFalse();
        assertThat(wheel.removeHandle(other)).isTrue();
        assertThat(wheel.size()).isZero();
        assertThat(wheel.allocate()).isNotEqualTo(other);
        wheel.checkInvariants();
    }

    @Test
    void discardedIdsAreReusedUnderANewGeneration() {
        TimingWheel wheel = new TimingWheel(64, 1, 0);
        long first = wheel.allocate();
        wheel.discard(first);
        long second = wheel.allocate();
        assertThat(EntryStore.indexOf(second)).isEqualTo(EntryStore.indexOf(first));
        assertThat(second).isNotEqualTo(first);
        assertThat(wheel.allocate()).isEqualTo(TimingWheel.NO_TIMER);
    }

    @Test
    void tryFireAndTryCancelHaveExactlyOneWinner() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        long a = wheel.schedule(1, null);
        assertThat(wheel.tryFire(a)).isTrue();
        assertThat(wheel.tryCancel(a)).isFalse();
        long b = wheel.schedule(1, null);
        assertThat(wheel.tryCancel(b)).isTrue();
        assertThat(wheel.tryFire(b)).isFalse();
    }

    @Test
    void capacityBoundsTheNumberOfEntries() {
        TimingWheel wheel = new TimingWheel(64, 3, 0);
        wheel.schedule(1, null);
        wheel.schedule(2, null);
        long third = wheel.schedule(3, null);
        assertThat(wheel.allocate()).isEqualTo(NO_TIMER);
        assertThatThrownBy(() -> wheel.schedule(4, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("timing wheel is full: capacity 3 entries");
        wheel.cancel(third);
        assertThat(wheel.schedule(4, null)).isNotEqualTo(NO_TIMER);
    }

    @Test
    void storageGrowsAcrossChunksAndIdsStayDistinct() {
        int count = EntryStore.CHUNK_SIZE * 3 + 5;
        TimingWheel wheel = new TimingWheel(64, count, 0);
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            assertThat(ids.add(wheel.schedule(1 + (i % 5000), i))).isTrue();
        }
        wheel.checkInvariants();
        Recorder recorder = new Recorder();
        wheel.advance(10_000, recorder, Integer.MAX_VALUE);
        assertThat(recorder.ids).hasSize(count);
    }

    /** Schedules {@code count} entries on the owner thread, cancels each, and returns their ids. */
    private static long[] scheduleThenCancelEach(TimingWheel wheel, int count) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = wheel.schedule(1 + i, null);
        }
        for (long id : ids) {
            assertThat(wheel.cancel(id)).isTrue();
        }
        return ids;
    }

    @Test
    void entriesReleasedPastAFullFreeRingReachProducersInBatchesAndAtTheEndOfThePass() {
        int heldBack = 10;
        // The owner's schedule calls turn its own cache on: the first releases fill it.
        int capacity = EntryStore.OWNER_CACHE + EntryStore.MAX_RING_SIZE + 2 * EntryStore.OVERFLOW_BATCH + heldBack;
        TimingWheel wheel = new TimingWheel(64, capacity, 0);
        long[] first = scheduleThenCancelEach(wheel, capacity);
        // The owner's cache and then the ring took the first releases, two full batches went to
        // the overflow stack, the last few wait for the end of the pass.
        java.util.Set<Long> second = new java.util.HashSet<>();
        for (int i = 0; i < capacity - heldBack; i++) {
            assertThat(second.add(wheel.schedule(1 + i, null))).isTrue();
        }
        assertThatThrownBy(() -> wheel.schedule(1, null)).isInstanceOf(IllegalStateException.class);
        wheel.advance(0, new Recorder(), Integer.MAX_VALUE);
        for (int i = 0; i < heldBack; i++) {
            assertThat(second.add(wheel.schedule(1 + i, null))).isTrue();
        }
        for (long id : first) {
            assertThat(second).doesNotContain(id);
        }
        assertThat(wheel.size()).isEqualTo(capacity);
        wheel.checkInvariants();
    }

    @Test
    void theOwnersReleasesServeItsOwnSchedulesFirstAndReachProducersAtTheEndOfThePass() {
        int capacity = EntryStore.OWNER_CACHE + 44;
        TimingWheel producersOnly = new TimingWheel(64, capacity, 0);
        long[] linked = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            linked[i] = producersOnly.allocate();
            producersOnly.markPending(linked[i]);
            assertThat(producersOnly.linkPending(linked[i], 1 + i, null)).isTrue();
        }
        for (long id : linked) {
            assertThat(producersOnly.cancel(id)).isTrue();
        }
        java.util.Set<Long> taken = new java.util.HashSet<>();
        for (int i = 0; i < capacity; i++) {
            assertThat(taken.add(producersOnly.allocate()))
                    .as("an owner that never schedules itself holds nothing back").isTrue();
        }

        TimingWheel wheel = new TimingWheel(64, capacity, 0);
        long[] first = scheduleThenCancelEach(wheel, capacity);
        long reused = wheel.schedule(5, "again");
        assertThat(EntryStore.indexOf(reused)).as("the owner takes back the last entry its cache took")
                .isEqualTo(EntryStore.indexOf(first[EntryStore.OWNER_CACHE - 1]));
        assertThat(wheel.cancel(reused)).isTrue();
        java.util.Set<Long> producers = new java.util.HashSet<>();
        for (long id = wheel.allocate(); id != TimingWheel.NO_TIMER; id = wheel.allocate()) {
            producers.add(id);
        }
        assertThat(producers).as("the ring holds what did not fit the owner's cache").hasSize(44);
        wheel.advance(0, new Recorder(), Integer.MAX_VALUE);
        for (long id = wheel.allocate(); id != TimingWheel.NO_TIMER; id = wheel.allocate()) {
            assertThat(producers.add(id)).isTrue();
        }
        assertThat(producers).as("the pass handed the owner's cache to producers").hasSize(capacity);
        for (long id : first) {
            assertThat(producers).doesNotContain(id);
            assertThat(wheel.cancel(id)).as("a stale id never touches the reused entry").isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 16, 32})
    void smallerGeometriesCoverEveryTickToo(int slots) {
        TimingWheel wheel = new TimingWheel(slots, 64, 0);
        assertThat(wheel.levels()).isEqualTo(TimingWheel.levelCount(slots));
        long[] deadlines = {1, 7, 100, 1L << 20, Long.MAX_VALUE};
        for (long deadline : deadlines) {
            wheel.schedule(deadline, deadline);
        }
        Recorder recorder = new Recorder();
        wheel.advance(Long.MAX_VALUE, recorder, Integer.MAX_VALUE);
        assertThat(recorder.payloads).containsExactly(1L, 7L, 100L, 1L << 20, Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 100, 128, -64})
    void invalidSlotsPerLevelIsRejectedWithTheValue(int slots) {
        assertThatThrownBy(() -> new TimingWheel(slots, 16, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slotsPerLevel must be a power of two between 2 and 64: " + slots);
    }

    @Test
    void invalidCapacityAndStartTickAreRejected() {
        assertThatThrownBy(() -> new TimingWheel(64, 0, 0))
                .hasMessage("capacity must be between 1 and 1073741824: 0");
        assertThatThrownBy(() -> new TimingWheel(64, 16, -1))
                .hasMessage("startTick must be >= 0: -1");
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        assertThatThrownBy(() -> wheel.advance(1, new Recorder(), 0))
                .hasMessage("limit must be >= 1: 0");
    }

    @Test
    void advanceFromInsideAHandlerIsRefused() {
        TimingWheel wheel = new TimingWheel(64, 16, 0);
        wheel.schedule(1, null);
        assertThatThrownBy(() -> wheel.advance(1, (id, d, p) -> wheel.advance(2, new Recorder(), 1), 1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void debugStringShowsLevelsSlotsAndCounts() {
        TimingWheel wheel = new TimingWheel(64, 64, 0);
        assertThat(wheel.toDebugString(8)).startsWith("TimingWheel tick=0 size=0 due=0 next=none levels=11x64");
        wheel.schedule(5, null);
        wheel.schedule(5, null);
        wheel.schedule(70, null);
        String dump = wheel.toDebugString(8);
        assertThat(dump).contains("level 0 current=0 next=5").contains(" 5=2");
        assertThat(dump).contains("level 1 current=0 next=64").contains(" 1=1");
    }

    @Test
    void clearHandsEveryEntryToTheSinkAndEmptiesTheWheel() {
        TimingWheel wheel = new TimingWheel(64, 64, 0);
        wheel.schedule(0, "due");
        wheel.schedule(5, "level0");
        wheel.schedule(1L << 40, "far");
        Recorder sink = new Recorder();
        assertThat(wheel.clear(sink)).isEqualTo(3);
        assertThat(sink.payloads).containsExactlyInAnyOrder("due", "level0", "far");
        assertThat(wheel.size()).isZero();
        assertThat(wheel.nextDeadlineTick()).isEqualTo(NO_DEADLINE);
        wheel.checkInvariants();
    }
}
