package dev.escapement.wheel;

/**
 * Sorts the nodes that reach a wheel's current tick together (from its level-0 slot and from
 * cascades) by deadline, once, before they join the current tick's list.
 *
 * <p>Not thread-safe: called on the wheel's owner thread, on a chain no other code sees.
 */
final class DeadlineSort {

    private DeadlineSort() {
    }

    /**
     * A stable merge sort of a null-terminated chain by deadline, bottom-up, in place (Tatham's
     * list merge sort). Runs already in order cost one pass.
     */
    static WheelNode sort(WheelNode list) {
        if (list == null || list.next == null) {
            return list;
        }
        for (int width = 1; ; width <<= 1) {
            WheelNode left = list;
            WheelNode head = null;
            WheelNode tail = null;
            int merges = 0;
            while (left != null) {
                merges++;
                WheelNode right = left;
                int leftSize = 0;
                while (leftSize < width && right != null) {
                    leftSize++;
                    right = right.next;
                }
                int rightSize = width;
                while (leftSize > 0 || (rightSize > 0 && right != null)) {
                    WheelNode taken;
                    if (leftSize == 0) {
                        taken = right;
                        right = right.next;
                        rightSize--;
                    } else if (rightSize == 0 || right == null || left.deadlineNs <= right.deadlineNs) {
                        taken = left;
                        left = left.next;
                        leftSize--;
                    } else {
                        taken = right;
                        right = right.next;
                        rightSize--;
                    }
                    if (tail == null) {
                        head = taken;
                    } else {
                        tail.next = taken;
                    }
                    tail = taken;
                }
                left = right;
            }
            tail.next = null;
            if (merges <= 1) {
                return head;
            }
            list = head;
        }
    }
}
