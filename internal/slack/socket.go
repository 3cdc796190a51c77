package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Socket Mode reconnect backoff, after slack-go's own reconnects give up.
const (
	socketBackoffMin = time.Second
	socketBackoffMax = time.Minute
)

// Errors from apps.connections.open that no retry can fix.
var fatalSocketErrors = map[string]bool{
	"invalid_auth": true, "account_inactive": true, "not_authed": true, "token_revoked": true,
	"not_allowed_token_type": true,
}

// RunSocketMode connects to Slack over Socket Mode and serves it with the
// same handlers as HTTP until ctx is done, reconnecting after a drop. It
// returns nil on a clean shutdown, and an error if no app token is
// configured or Slack rejects the token.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: socket mode needs an app token")
	}
	defer a.socket.Store(false)
	backoff := socketBackoffMin
	for {
		start := time.Now()
		err := a.runSocketOnce(ctx)
		a.socket.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if fatalSocketErrors[err.Error()] {
			return fmt.Errorf("slack: socket mode: %w", err)
		}
		if time.Since(start) > 2*socketBackoffMax {
			backoff = socketBackoffMin // it had been up a while
		}
		a.log.Warn("socket mode disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, socketBackoffMax)
	}
}

// runSocketOnce runs one slack-go Socket Mode client (which itself
// reconnects when Slack asks it to) until it fails or ctx is done.
func (a *Adapter) runSocketOnce(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := socketmode.New(a.api)
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if err == nil {
				err = errors.New("socket mode client stopped")
			}
			return err
		case evt := <-client.Events:
			a.socketEvent(ctx, client, evt)
		}
	}
}

// socketEvent handles one Socket Mode event: connection state changes,
// and Slack requests, each acked at once with the same ack an HTTP request
// would get.
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.socket.Store(true)
		a.log.Info("socket mode connected")
		return
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		a.socket.Store(false)
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.socket.Store(false)
		a.log.Warn("socket mode connection error")
		return
	}
	if evt.Request == nil {
		return
	}
	var ak ack
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			ak = ackOK
			break
		}
		ak = a.handleEvent(ev, evt.Request.RetryAttempt, 0)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackgo.SlashCommand)
		if !ok {
			ak = ackOK
			break
		}
		ak = a.handleCommand(cmd, 0)
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slackgo.InteractionCallback)
		if !ok {
			ak = ackOK
			break
		}
		ak = a.handleInteraction(ic, 0)
	default:
		return
	}
	if ak.status == http.StatusServiceUnavailable {
		// Shutting down: leave it unacked so Slack redelivers it.
		return
	}
	var payload any
	if ak.payload != nil {
		payload = ak.payload
	}
	if err := client.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
		a.log.Error("socket mode ack failed", "err", err)
	}
}
