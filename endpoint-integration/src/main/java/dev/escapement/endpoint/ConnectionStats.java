package dev.escapement.endpoint;

/**
 * A snapshot of one {@link Connection}'s counters and RTO state, from {@link Connection#stats()}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param connectionId           the connection
 * @param framesSent             DATA frames sent for the first time
 * @param framesAcked            DATA frames the peer acknowledged
 * @param framesDelivered        DATA frames delivered to the application
 * @param framesRetransmitted    frames sent again, handshake frames included
 * @param retransmissionTimeouts times the retransmission deadline passed
 * @param duplicateFrames        frames received more than once
 * @param framesInFlight         DATA frames sent and not acknowledged
 * @param framesQueued           DATA frames waiting for room in the window
 * @param rttSamples             RTT samples taken
 * @param samplesSkippedByKarn   acknowledgements that took no sample because the frame was retransmitted
 * @param srttNs                 smoothed RTT, 0 before the first sample
 * @param rtoNs                  the current RTO, back-off included
 * @param backoffs               timeouts since the last valid sample
 */
public record ConnectionStats(
        long connectionId,
        long framesSent,
        long framesAcked,
        long framesDelivered,
        long framesRetransmitted,
        long retransmissionTimeouts,
        long duplicateFrames,
        int framesInFlight,
        int framesQueued,
        long rttSamples,
        long samplesSkippedByKarn,
        long srttNs,
        long rtoNs,
        int backoffs) {
}
