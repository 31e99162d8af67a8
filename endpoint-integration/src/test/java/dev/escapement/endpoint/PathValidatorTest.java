package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PathValidatorTest {

    private static final InetSocketAddress OLD = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress NEW = new InetSocketAddress("127.0.0.1", 5001);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.1", 5002);

    private final PathValidator path = new PathValidator(OLD);

    @Test
    void theCurrentAddressChangesNothing() {
        assertThat(path.onNewestPacketFrom(new InetSocketAddress("127.0.0.1", 5000), 1)).isEqualTo(PathValidator.Move.NONE);
        assertThat(path.isValidating()).isFalse();
    }

    @Test
    void aNewAddressIsUsedAtOnceAndValidatedByTheRightToken() {
        assertThat(path.onNewestPacketFrom(NEW, 42)).isEqualTo(PathValidator.Move.VALIDATING);
        assertThat(path.current()).isEqualTo(NEW);
        assertThat(path.validated()).isEqualTo(OLD);
        assertThat(path.token()).isEqualTo(42);
        assertThat(path.onResponse(41)).as("wrong token").isFalse();
        assertThat(path.isValidating()).isTrue();
        assertThat(path.onResponse(42)).isTrue();
        assertThat(path.validated()).isEqualTo(NEW);
        assertThat(path.onResponse(42)).as("answered already").isFalse();
        assertThat(path.onTimeout()).as("nothing to time out").isFalse();
        assertThat(path.current()).isEqualTo(NEW);
    }

    @Test
    void anUnansweredChallengeFallsBackToTheValidatedAddress() {
        path.onNewestPacketFrom(NEW, 42);
        assertThat(path.onTimeout()).isTrue();
        assertThat(path.current()).isEqualTo(OLD);
        assertThat(path.isValidating()).isFalse();
        assertThat(path.onResponse(42)).as("too late").isFalse();
    }

    @Test
    void returningToTheValidatedAddressAbandonsTheValidation() {
        path.onNewestPacketFrom(NEW, 42);
        assertThat(path.onNewestPacketFrom(OLD, 43)).isEqualTo(PathValidator.Move.RETURNED);
        assertThat(path.current()).isEqualTo(OLD);
        assertThat(path.isValidating()).isFalse();
        assertThat(path.onResponse(42)).isFalse();
    }

    @Test
    void aThirdAddressReplacesTheOneBeingValidated() {
        path.onNewestPacketFrom(NEW, 42);
        assertThat(path.onNewestPacketFrom(OTHER, 43)).isEqualTo(PathValidator.Move.VALIDATING);
        assertThat(path.onResponse(42)).as("the abandoned challenge").isFalse();
        assertThat(path.onResponse(43)).isTrue();
        assertThat(path.validated()).isEqualTo(OTHER);
    }
}
