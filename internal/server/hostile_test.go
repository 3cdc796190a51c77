package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// webhookConfig turns both platforms' webhooks on, with replies going to
// sink.
func webhookConfig(t *testing.T, sink *responseSink, dsig discordSigner) *instance {
	t.Helper()
	cfg := testConfig(copyKB(t))
	cfg.Discord.AppID = "1"
	cfg.Discord.PublicKey = dsig.pub
	cfg.Slack.BotToken = "xoxb-test"
	cfg.Slack.SigningSecret = slackSecret
	cfg.Slack.APIURL = sink.srv.URL + "/api/"
	return start(t, cfg, Options{})
}

// slowRequest opens a connection and sends the headers of a webhook request
// with a wrong signature and the first bytes of a body it never finishes,
// as a slowloris client does.
func slowRequest(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, err = fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: summitbot\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 1000\r\nX-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: v0=%s\r\n"+
		"X-Signature-Timestamp: %[2]d\r\nX-Signature-Ed25519: %[4]s\r\n\r\ntext=",
		path, time.Now().Unix(), strings.Repeat("0", 64), strings.Repeat("0", 128))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Issue 13 finding 1: 520 unauthenticated connections that send part of a
// webhook body held every one of the 512 shared work slots, and valid API
// requests got 503 for as long as they kept at it.
func TestSlowlorisLeavesWorkAnswered(t *testing.T) {
	sink := newResponseSink(t)
	dsig := newDiscordSigner(t)
	in := webhookConfig(t, sink, dsig)

	const slow = 520
	conns := make([]net.Conn, 0, slow)
	for i := range slow {
		path := "/slack/commands"
		if i%2 == 1 {
			path = "/discord/interactions"
		}
		conns = append(conns, slowRequest(t, in.addr, path))
	}

	const probes = 40
	answered := 0
	for range probes {
		if code, _ := in.ask(t, testToken, `{"question":"what is brics"}`); code == 200 {
			answered++
		}
	}
	if answered < probes*95/100 {
		t.Errorf("during the slowloris, %d of %d valid /v1/ask probes answered, want at least 95%%", answered, probes)
	}
	// Signed webhooks are answered too.
	resp, err := http.DefaultClient.Do(dsig.request(in.url, discordAsk("777", "42", "what is power of siberia")))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("signed discord request during the slowloris: %d", resp.StatusCode)
	}

	// Each slow request is cut off by the webhook read deadline, well
	// before the server's 15 s ReadTimeout: it gets an error response or a
	// closed connection.
	limit := time.Now().Add(webhookReadTimeout + 8*time.Second)
	for i, c := range conns {
		c.SetReadDeadline(limit)
		_, err := bufio.NewReader(c).ReadString('\n')
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("slow connection %d still open after %v", i, webhookReadTimeout+8*time.Second)
		}
	}
}
