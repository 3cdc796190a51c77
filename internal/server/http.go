package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/panics"
	"github.com/summitbot/summitbot/internal/store"
)

// Limits of the /v1/ask API.
const (
	// maxAskBody caps the request body of POST /v1/ask.
	maxAskBody = 16 << 10
	// maxQuestion is the longest question accepted, in characters: the
	// core's own limit, so the API never accepts what the core declines.
	maxQuestion = bot.MaxQuestion
	// maxConversation is the longest conversation key accepted, in bytes.
	maxConversation = 200
)

// routes builds the HTTP handler: probes, metrics, the API and the webhooks
// of the adapters that are on.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	var patterns []string
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		patterns = append(patterns, pattern)
	}
	handle("GET /healthz", http.HandlerFunc(s.handleHealth))
	handle("GET /readyz", http.HandlerFunc(s.handleReady))
	handle("GET /metrics", s.metrics.Handler())

	// The API checks its token on the headers, then takes a slot of its
	// own; the webhooks take theirs in the adapters, once the signature
	// over the body is verified (Config.Admit). Every body has the API's
	// read deadline already (outer, bodies).
	api := func(h http.Handler) http.Handler {
		return s.authorized(work(s.apiSlots, h))
	}
	// Questions are also limited per token (one token today, so one
	// bucket), before they take a slot.
	askRate := newRateBucket(s.cfg.APIRateLimit, s.cfg.APIRateWindow, time.Now)
	handle("POST /v1/ask", s.authorized(
		rateLimited(askRate, work(s.apiSlots, http.HandlerFunc(s.handleAsk)))))
	var gaps, feedback http.Handler = recordingOff, recordingOff
	if s.store != nil {
		gaps, feedback = store.GapsHandler(s.store, s.log), store.FeedbackHandler(s.store, s.log)
	}
	handle("GET /v1/gaps", api(gaps))
	handle("GET /v1/feedback", api(feedback))

	// A webhook whose class has no free slot is refused before its body is
	// read or its signature checked: under overload a refusal must cost
	// next to nothing, or the CPU goes to refusing instead of answering.
	webhook := func(sl *slots, h http.Handler) http.Handler {
		return shedWhenFull(sl, readDeadline(webhookReadTimeout, h))
	}
	if s.discord != nil && s.cfg.Discord.InteractionsEnabled() {
		handle("POST /discord/interactions", webhook(s.discordSlots, s.discord.InteractionsHandler()))
	}
	if s.slack != nil && s.cfg.Slack.HTTPEnabled() {
		handle("POST /slack/commands", webhook(s.slackSlots, s.slack.CommandsHandler()))
		handle("POST /slack/events", webhook(s.slackSlots, s.slack.EventsHandler()))
		handle("POST /slack/interactions", webhook(s.slackSlots, s.slack.InteractionsHandler()))
	}
	return s.outer(mux, patterns)
}

// outer wraps the mux, whose patterns are listed, in what every request
// goes through. Instrument is outermost so that it counts the 500
// recoverPanics writes; it reads the pattern the mux sets on the same
// *Request.
func (s *Server) outer(mux *http.ServeMux, patterns []string) http.Handler {
	return s.metrics.Instrument(s.closeWhenDraining(bodies(s.recoverPanics(mux))), patterns...)
}

// bodies gives every request's body, on every route (unmatched ones too,
// whose body the server discards after the handler), the API's read
// deadline, and lets the connection cap close a connection whose body is
// still to come (arriving). The webhooks set a shorter deadline of their
// own.
func bodies(next http.Handler) http.Handler {
	return readDeadline(apiReadTimeout, arriving(next))
}

// closeWhenDraining answers every request as usual, but once shutdown has
// begun with Connection: close, so that each connection closes after the
// answer to the request it carried (see shutdown).
func (s *Server) closeWhenDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.shuttingDown.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// recordingOff answers the report endpoints when no database is configured.
var recordingOff = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "recording is off: set SUMMITBOT_DATABASE_URL to collect gaps and feedback")
})

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the body of GET /readyz.
type readiness struct {
	Ready    bool            `json:"ready"`
	Topics   int             `json:"topics"`
	Adapters map[string]bool `json:"adapters"`
	// Saturated lists the classes of work (api, slack, discord) whose
	// work slots are all taken: the replica is not ready for more.
	Saturated []string `json:"saturated,omitempty"`
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ok, links := s.ready()
	var saturated []string
	for _, sl := range []*slots{s.apiSlots, s.slackSlots, s.discordSlots} {
		if sl.full() {
			saturated = append(saturated, sl.name)
		}
	}
	ok = ok && len(saturated) == 0
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, readiness{Ready: ok, Topics: len(s.bot.KB().Topics), Adapters: links, Saturated: saturated})
}

// askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question string `json:"question"`
	// Conversation keys follow-up context ("tell me more"); optional.
	Conversation string `json:"conversation"`
}

func (s *Server) handleAsk(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAskBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req askRequest
	if err := dec.Decode(&req); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", maxAskBody))
			return
		}
		writeError(w, http.StatusBadRequest, `want a JSON object {"question": "...", "conversation": "optional key"}: `+jsonProblem(err))
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "want exactly one JSON object")
		return
	}
	q := strings.TrimSpace(req.Question)
	switch {
	case q == "":
		writeError(w, http.StatusBadRequest, "question is empty")
		return
	case strings.ContainsRune(q, 0): // (invalid UTF-8 was already replaced by the decoder)
		writeError(w, http.StatusBadRequest, "question is not valid text")
		return
	case utf8.RuneCountInString(q) > maxQuestion:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("question is longer than %d characters", maxQuestion))
		return
	case len(req.Conversation) > maxConversation:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("conversation is longer than %d bytes", maxConversation))
		return
	}
	question := bot.Question{Text: q, Platform: bot.PlatformAPI, ChannelKind: bot.ChannelAPI}
	if req.Conversation != "" {
		// A namespace of its own, so an API caller cannot step into a chat
		// user's follow-up context.
		question.Conversation = "api\x00" + req.Conversation
	}
	writeJSON(w, http.StatusOK, s.bot.Ask(r.Context(), question))
}

// jsonProblem describes a decoding error without echoing the input's
// values: an unknown field is named back to its caller, cut to
// maxFieldName bytes.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, err := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if err != nil {
			return "unknown field"
		}
		if len(name) > maxFieldName {
			name = strings.ToValidUTF8(name[:maxFieldName], "") + "…"
		}
		return fmt.Sprintf("unknown field %q", name)
	}
	return "malformed JSON"
}

// maxFieldName is the most of an unknown field's name an error repeats.
const maxFieldName = 40

// authorized lets a request through only with the configured API token as a
// bearer token, compared in constant time. With no token configured the
// API is off and every request gets 401.
func (s *Server) authorized(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.cfg.APIToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.APIToken == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="summitbot"`)
			writeError(w, http.StatusUnauthorized, "the API is off: set SUMMITBOT_API_TOKEN to enable it")
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		// Hashing first makes the comparison constant-time in the
		// token's length too.
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="summitbot"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler panic into a 500 and a log line, so one bad
// request cannot take the connection's other requests down with it.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "route", r.Pattern, "panic", panics.Detail(v))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeJSON writes v with the same headers as the report endpoints
// (internal/store's writeJSON).
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
