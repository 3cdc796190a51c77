package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/summitbot/summitbot/internal/seen"
)

const (
	// maxBody caps an interaction request body.
	maxBody = 64 << 10
	// maxSkew is how old a request's timestamp may be, and maxFuture how
	// far ahead of our clock (clocks differ by seconds, not minutes).
	maxSkew   = 5 * time.Minute
	maxFuture = time.Minute
	// replayWindow is how long a signed request stays acceptable: how long
	// its id must be remembered to refuse a replay.
	replayWindow = maxSkew + maxFuture
	// seenMax bounds the ids remembered in memory.
	seenMax = 50000
	// httpBudget bounds the work for one HTTP interaction: Discord drops a
	// response that comes after 3 s, so a slow answer must give way to the
	// adapter's apology in time for it to arrive.
	httpBudget = 2500 * time.Millisecond
)

// InteractionsHandler serves Discord's HTTP interactions endpoint
// (POST /discord/interactions). It verifies the Ed25519 signature over
// timestamp+body and rejects timestamps more than five minutes old or more
// than one minute ahead (401), and replays of an interaction id (401), answers PING, and answers commands, autocomplete and button clicks
// in the response body with the same handlers as the gateway. Other methods
// get 405, bodies over 64 KiB 413, and undecodable bodies 400. With no
// PublicKey configured it answers 404.
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(a.serveInteraction)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if a.cfg.PublicKey == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sig, ts, reason := a.signatureHeaders(r)
	if reason != "" {
		a.rejected(reason)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			a.rejected("too_large")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(a.cfg.PublicKey, msg, sig) {
		a.rejected("bad_signature")
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil || i.Type == 0 {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	// A signed request seen before is a replay: answering it again could,
	// for one, record feedback twice. This replica's memory decides first,
	// so a replay it already refused costs nothing more; the shared record
	// is asked only with a work slot, which bounds its writes.
	now := a.now()
	if i.ID == "" || !a.seen.Claim(i.ID, now) {
		a.rejected("replay")
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	// Only a verified request takes a work slot, so anonymous clients,
	// however slow or many, cannot hold the slots signed ones need.
	if a.cfg.Admit != nil {
		release, ok := a.cfg.Admit()
		if !ok {
			a.seen.Release(i.ID) // not answered: a retry may come through
			a.rejected("busy")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests in flight", http.StatusServiceUnavailable)
			return
		}
		defer release()
	}
	if !a.shared.Claim(r.Context(), i.ID, now) {
		a.rejected("replay")
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.httpBudget)
	defer cancel()
	resp := a.handle(ctx, &i)
	writeJSON(w, resp.interactionResponse())
}

// signatureHeaders decodes the signature and checks the timestamp's age;
// reject is why they are refused, or "".
func (a *Adapter) signatureHeaders(r *http.Request) (sig []byte, ts, reject string) {
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, "", "bad_signature"
	}
	ts = r.Header.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, "", "bad_signature"
	}
	age := a.now().Sub(time.Unix(sec, 0))
	if age > maxSkew || age < -maxFuture {
		return nil, "", "stale"
	}
	return sig, ts, ""
}

// rejected tells Config.OnReject of a refused interaction.
func (a *Adapter) rejected(reason string) {
	if a.cfg.OnReject != nil {
		a.cfg.OnReject(reason)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// SeenStore remembers interaction ids where every replica sees them.
// internal/store's *Store satisfies it.
type SeenStore = seen.Store
