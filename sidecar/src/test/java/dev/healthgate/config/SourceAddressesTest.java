package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("haproxy.sources: where HAProxy's checks may come from")
class SourceAddressesTest {

    @Test
    @DisplayName("addresses and CIDR ranges, IPv4 and IPv6, accept exactly what they cover")
    void rangesCoverWhatTheySay() {
        SourceAddresses s = SourceAddresses.parse("haproxy.sources",
                List.of("10.0.0.7", "192.168.1.0/24", "2001:db8::/64", "172.16.0.0/12"));
        assertThat(s.accepts("10.0.0.7")).isTrue();
        assertThat(s.accepts("10.0.0.8")).as("a single address is a /32").isFalse();
        assertThat(s.accepts("192.168.1.254")).isTrue();
        assertThat(s.accepts("192.168.2.1")).isFalse();
        assertThat(s.accepts("172.31.255.1")).as("/12 covers 172.16-172.31").isTrue();
        assertThat(s.accepts("172.32.0.1")).isFalse();
        assertThat(s.accepts("2001:db8::5")).isTrue();
        assertThat(s.accepts("2001:db9::5")).isFalse();
        assertThat(s.accepts("::ffff:10.0.0.7")).as("IPv4-mapped IPv6 is the IPv4 address").isTrue();
        assertThat(s.accepts("not-an-address")).as("a name is never looked up").isFalse();
    }

    @Test
    @DisplayName("without the key every source is accepted, as before it existed")
    void emptyAcceptsAll() {
        assertThat(SourceAddresses.ANY.accepts("203.0.113.9")).isTrue();
        assertThat(ConfigLoader.parse(ConfigLoaderTest.VALID).haproxy().sources().acceptsAny()).isTrue();
    }

    @Test
    @DisplayName("a host name, a bad prefix or a malformed address is an error naming the key and the entry")
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> SourceAddresses.parse("haproxy.sources", List.of("lb1.example.com")))
                .hasMessageStartingWith("haproxy.sources = lb1.example.com: must be an IP address or CIDR range");
        assertThatThrownBy(() -> SourceAddresses.parse("haproxy.sources", List.of("10.0.0.0/33")))
                .hasMessage("haproxy.sources = 10.0.0.0/33: the prefix length after '/' must be 0-32");
        assertThatThrownBy(() -> SourceAddresses.parse("haproxy.sources", List.of("10.0.0/8")))
                .hasMessageStartingWith("haproxy.sources = 10.0.0/8: must be an IP address");
        assertThatThrownBy(() -> ConfigLoader.parse(ConfigLoaderTest.VALID.replace("rise: 3",
                "rise: 3\n  sources: [10.0.0.1, 10.0.0.300]")))
                .hasMessageStartingWith("haproxy.sources = 10.0.0.300: must be an IP address");
    }

    @Test
    @DisplayName("status-listen must be an address; a nat gate's must be where HAProxy checks")
    void statusListen() {
        HealthgateConfig c = ConfigLoader.parse(ConfigLoaderTest.VALID.replace("    gate: nat\n",
                "    gate: nat\n    status-listen: 10.0.0.5\n"));
        assertThat(c.app("web1").orElseThrow().statusListen()).isEqualTo("10.0.0.5");
        assertThat(c.app("web2").orElseThrow().statusListen()).as("default: every address").isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> ConfigLoader.parse(ConfigLoaderTest.VALID.replace("    gate: nat\n",
                "    gate: nat\n    status-listen: 10.0.0.6\n")))
                .hasMessageStartingWith("apps[0].status-listen = 10.0.0.6: gate nat: HAProxy checks the app's host");
        assertThatThrownBy(() -> ConfigLoader.parse(ConfigLoaderTest.VALID.replace("    gate: nat\n",
                "    gate: nat\n    status-listen: localhost\n")))
                .hasMessageStartingWith("apps[0].status-listen = localhost: must be an IP address of this host");
    }
}
