package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/summitbot/summitbot/internal/seen"
)

const (
	// maxBody caps a request body; Slack's payloads are far smaller.
	maxBody = 64 << 10
	// maxSkew is how old a request timestamp may be, and maxFuture how far
	// ahead of our clock (clocks differ by seconds, not minutes).
	maxSkew   = 5 * time.Minute
	maxFuture = time.Minute
	// replayWindow is how long a signed request stays acceptable, so how
	// long its signature is remembered to refuse a replay; replayMax
	// bounds the signatures remembered.
	replayWindow = maxSkew + maxFuture
	replayMax    = 50000
)

var (
	errMissingSignature = errors.New("missing signature headers")
	errBadSignature     = errors.New("bad signature")
	errStaleTimestamp   = errors.New("timestamp too old or too new")
)

// signature computes Slack's v0 request signature: "v0=" followed by the
// hex HMAC-SHA256 of "v0:<timestamp>:<body>" keyed with the signing secret.
func signature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// verify checks a request's signature and timestamp. It uses the
// adapter's clock (slack-go's verifier uses the real one).
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if secret == "" || ts == "" || sig == "" {
		return errMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxFuture {
		return errStaleTimestamp
	}
	if !hmac.Equal([]byte(sig), []byte(signature(secret, ts, body))) {
		return errBadSignature
	}
	return nil
}

// readVerified reads a capped body, verifies it and takes a work slot
// (Config.Admit), writing the error response itself when any of these
// fails. The caller must call release once the request is answered. Only a
// verified request takes a slot, so anonymous clients, however slow or
// many, cannot hold the slots that signed requests need.
//
// A slash command or button click whose signature was seen before is a
// replay (Slack retries neither; the Events API's retries carry new
// signatures and are deduplicated on their event id instead): it gets an
// empty 200 and nothing is done.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request, kind string) (body []byte, release func(), ok bool) {
	body, ok = a.readSigned(w, r, kind)
	if !ok {
		return nil, nil, false
	}
	sig := ""
	if kind != "event" {
		sig = r.Header.Get("X-Slack-Signature")
		if !a.replays.Claim(sig, a.cfg.Now()) {
			a.replayed(w, kind)
			return nil, nil, false
		}
	}
	release = func() {}
	if a.cfg.Admit != nil {
		if release, ok = a.cfg.Admit(); !ok {
			a.replays.Release(sig) // not handled: a retry may come through
			a.counted("busy")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests in flight", http.StatusServiceUnavailable)
			return nil, nil, false
		}
	}
	if sig != "" && !a.shared.Claim(r.Context(), "slack:"+sig, a.cfg.Now()) {
		release()
		a.replayed(w, kind)
		return nil, nil, false
	}
	return body, release, true
}

// replayed answers a replay: an empty 200, and nothing done.
func (a *Adapter) replayed(w http.ResponseWriter, kind string) {
	a.rejected(kind, "replay", "replayed request")
	w.WriteHeader(http.StatusOK)
}

// SeenStore remembers ids where every replica sees them.
// internal/store's *Store satisfies it.
type SeenStore = seen.Store

// rejected counts a refused request (Config.OnReject, for one of a fixed
// set of reasons) and logs it, a few lines a second at most: anyone can
// send bad requests by the thousand, and each costs a log line. A line
// after a quiet spell says how many went unlogged.
func (a *Adapter) rejected(kind, reason, detail string) {
	a.counted(reason)
	if n, ok := a.rejectLog.Allow(a.cfg.Now()); ok {
		a.log.Warn("rejected request", "kind", kind, "reason", detail, "unlogged_since_last", n)
	}
}

// counted tells Config.OnReject of a refused request.
func (a *Adapter) counted(reason string) {
	if a.cfg.OnReject != nil {
		a.cfg.OnReject(reason)
	}
}

// Rejected requests logged: rejectBurst at once, then one per rejectEvery.
const (
	rejectBurst = 5
	rejectEvery = time.Second
)

// readSigned reads a capped body and verifies its signature.
func (a *Adapter) readSigned(w http.ResponseWriter, r *http.Request, kind string) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.rejected(kind, "too_large", "body too large")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return nil, false
	}
	if err := verify(a.cfg.SigningSecret, r.Header, body, a.cfg.Now()); err != nil {
		reason := "bad_signature"
		if errors.Is(err, errStaleTimestamp) {
			reason = "stale"
		}
		a.rejected(kind, reason, err.Error())
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// formRequest rebuilds a request around an already-read form body, so
// slack-go's form parsers can read it.
func formRequest(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.Form, r2.PostForm = nil, nil
	if r2.Header.Get("Content-Type") == "" {
		r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r2
}

// CommandsHandler serves POST /slack/commands (slash commands).
func (a *Adapter) CommandsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, release, ok := a.readVerified(w, r, "command")
		if !ok {
			return
		}
		defer release()
		cmd, err := slackgo.SlashCommandParse(formRequest(r, body))
		if err != nil || cmd.Command == "" {
			http.Error(w, "malformed slash command", http.StatusBadRequest)
			return
		}
		a.writeAck(w, a.handleCommand(cmd, workerWait))
	})
}

// EventsHandler serves POST /slack/events (Events API).
func (a *Adapter) EventsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, release, ok := a.readVerified(w, r, "event")
		if !ok {
			return
		}
		defer release()
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			if !json.Valid(body) {
				http.Error(w, "malformed event", http.StatusBadRequest)
				return
			}
			// Valid JSON with an inner event type slack-go does not know:
			// nothing for us to do, and a 200 stops redeliveries.
			a.log.Info("ignored unknown event")
			w.WriteHeader(http.StatusOK)
			return
		}
		if ev.Type == slackevents.URLVerification {
			uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
			if !ok || uv.Challenge == "" {
				http.Error(w, "malformed url verification", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, uv.Challenge)
			return
		}
		retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		a.writeAck(w, a.handleEvent(ev, retry, workerWait))
	})
}

// InteractionsHandler serves POST /slack/interactions (button clicks).
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, release, ok := a.readVerified(w, r, "interaction")
		if !ok {
			return
		}
		defer release()
		ic, err := slackgo.InteractionCallbackParse(formRequest(r, body))
		if err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		a.writeAck(w, a.handleInteraction(ic, workerWait))
	})
}

func (a *Adapter) writeAck(w http.ResponseWriter, ak ack) {
	if ak.status != http.StatusOK {
		http.Error(w, strings.ToLower(http.StatusText(ak.status)), ak.status)
		return
	}
	if ak.payload == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	b, err := json.Marshal(ak.payload)
	if err != nil {
		a.log.Error("encode ack", "err", fmt.Errorf("slack: %w", err))
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
