package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parser that judges zero loss must see HAProxy's retries and redispatches, or it judges nothing. */
class HaproxyLogTest {
    // lines as HAProxy 2.6 writes them with `log stdout format raw` and `option httplog`
    private static final String LOG = String.join("\n",
            "[WARNING]  (12) : Server app/web1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\","
                    + " check duration: 0ms. 3 active and 4 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "127.0.0.1:41234 [22/Nov/2026:10:00:00.123] healthgate_frontend app/web1 0/0/0/1/1 200 123 - - --NI 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"",
            "127.0.0.1:41236 [22/Nov/2026:10:00:00.200] healthgate_frontend app/web3 0/0/1001/2/1003 200 123 - - --VN 2/2/0/0/+1 0/0 \"GET / HTTP/1.1\"",
            "127.0.0.1:41238 [22/Nov/2026:10:00:00.300] healthgate_frontend app/web2 0/0/1000/-1/2001 503 217 - - SC-- 2/2/0/0/3 0/0 \"GET /slow?ms=400 HTTP/1.1\"",
            "127.0.0.1:41240 [22/Nov/2026:10:00:00.400] healthgate_frontend app/web2-bkp 0/0/0/401/401 200 123 SRV=web2 - --VN 2/2/1/1/0 0/0 \"GET /slow?ms=400 HTTP/1.1\"");

    @Test
    void readsServerStatusRetriesAndRedispatchOfEveryRequestLine() {
        HaproxyLog log = HaproxyLog.parse(LOG);

        assertThat(log.requests()).extracting(HaproxyLog.Request::server)
                .containsExactly("web1", "web3", "web2", "web2-bkp");
        assertThat(log.requests()).extracting(HaproxyLog.Request::retries).containsExactly(0, 1, 3, 0);
        assertThat(log.requests()).extracting(HaproxyLog.Request::redispatched)
                .containsExactly(false, true, false, false);
        assertThat(log.retriedOrRedispatched()).extracting(HaproxyLog.Request::server).containsExactly("web3", "web2");
        assertThat(log.notOk()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.termination()).isEqualTo("SC--");
            assertThat(r.requestLine()).isEqualTo("GET /slow?ms=400 HTTP/1.1");
        });
        assertThat(log.summary()).isEqualTo("4 requests, 2 retried, 1 redispatched, 1 not 200");
    }
}
