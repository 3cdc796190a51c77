package slack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
)

type fakeGaps struct {
	gaps []bot.Gap
	err  error
	n    int
}

func (g *fakeGaps) TopGaps(_ context.Context, n int) ([]bot.Gap, error) {
	g.n = n
	return g.gaps, g.err
}

func TestGapsCommand(t *testing.T) {
	sample := []bot.Gap{{Count: 4, Examples: []string{"arctic lng 2"}}}
	tests := []struct {
		name    string
		user    string
		gaps    *fakeGaps // nil: no reporter configured
		groups  map[string][]string
		want    string
		wantAsk bool // this row's reporter was asked for the top five
	}{
		{"moderator by id", "UMOD", &fakeGaps{gaps: sample}, nil, "arctic lng 2", true},
		{"moderator by group", "UGRP", &fakeGaps{gaps: sample}, map[string][]string{"S1": {"UX", "UGRP"}}, "arctic lng 2", true},
		{"not a moderator", "U1", &fakeGaps{gaps: sample}, map[string][]string{"S1": {"UX"}}, "for moderators", false},
		{"group lookup fails", "U1", &fakeGaps{gaps: sample}, nil, "couldn't check your permissions", false},
		{"not configured", "UMOD", nil, nil, "not configured", false},
		{"report fails", "UMOD", &fakeGaps{err: errors.New("db down")}, nil, "couldn't build the gaps report", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, func(c *Config) {
				c.Moderators = []string{"UMOD"}
				c.ModeratorGroups = []string{"S1"}
				if tt.gaps != nil { // a nil *fakeGaps would be a non-nil GapReporter
					c.Gaps = tt.gaps
				}
			})
			for g, m := range tt.groups {
				e.fake.groups[g] = m
			}
			if w := e.commandAs("/gaps", "", "C1", tt.user); w.Code != 200 || w.Body.Len() != 0 {
				t.Fatalf("ack %d %s", w.Code, w.Body)
			}
			e.drain(t)
			hooks := e.fake.callsTo("/hooks/T1/123/abc")
			if len(hooks) != 1 {
				t.Fatalf("calls %+v", e.fake.all())
			}
			if hooks[0].JSON["response_type"] != "ephemeral" || !strings.Contains(replyText(hooks[0]), tt.want) {
				t.Errorf("reply %v %q, want it to contain %q", hooks[0].JSON["response_type"], replyText(hooks[0]), tt.want)
			}
			if tt.gaps != nil {
				if asked := tt.gaps.n == maxGaps; asked != tt.wantAsk {
					t.Errorf("reporter asked for %d gaps, want asked=%v", tt.gaps.n, tt.wantAsk)
				}
			}
			if tt.name == "report fails" && !strings.Contains(e.logs.String(), "db down") {
				t.Errorf("the report error was not logged:\n%s", e.logs)
			}
		})
	}
}

func TestModeratorGroupCache(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	calls := 0
	m := newModerators([]string{"UMOD"}, []string{"S1", "S2"}, time.Minute, func() time.Time { return now },
		func(_ context.Context, g string) ([]string, error) {
			calls++
			if g == "S2" {
				return []string{"U2"}, nil
			}
			return []string{"U1"}, nil
		})
	ctx := context.Background()
	for _, tc := range []struct {
		user      string
		want      bool
		wantCalls int
	}{
		{"UMOD", true, 0}, // listed users need no lookup
		{"U1", true, 1},
		{"U1", true, 1}, // cached
		{"U2", true, 2},
		{"U3", false, 2}, // both groups cached
	} {
		ok, err := m.allowed(ctx, tc.user)
		if ok != tc.want || err != nil || calls != tc.wantCalls {
			t.Errorf("allowed(%s) = %v, %v after %d calls; want %v after %d", tc.user, ok, err, calls, tc.want, tc.wantCalls)
		}
	}
	now = now.Add(2 * time.Minute)
	if ok, _ := m.allowed(ctx, "U1"); !ok || calls != 3 {
		t.Errorf("expired cache not refreshed: %d calls", calls)
	}
	if ok, _ := m.allowed(ctx, ""); ok {
		t.Error("empty user allowed")
	}
}
