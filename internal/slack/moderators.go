package slack

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// moderators decides who may run the gaps command: listed user ids, or
// members of listed user groups. Group membership comes from the Web API
// and is cached for ttl.
type moderators struct {
	users   []string
	groups  []string
	ttl     time.Duration
	now     func() time.Time
	members func(ctx context.Context, group string) ([]string, error)

	mu    sync.Mutex
	cache map[string]groupEntry
}

type groupEntry struct {
	members []string
	at      time.Time
}

func newModerators(users, groups []string, ttl time.Duration, now func() time.Time,
	members func(ctx context.Context, group string) ([]string, error)) *moderators {
	return &moderators{
		users: slices.Clone(users), groups: slices.Clone(groups),
		ttl: ttl, now: now, members: members, cache: map[string]groupEntry{},
	}
}

// allowed reports whether user may run the gaps command. An error means
// membership could not be checked; callers deny and say so.
func (m *moderators) allowed(ctx context.Context, user string) (bool, error) {
	if user == "" {
		return false, nil
	}
	if slices.Contains(m.users, user) {
		return true, nil
	}
	var firstErr error
	for _, g := range m.groups {
		ms, err := m.groupMembers(ctx, g)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if slices.Contains(ms, user) {
			return true, nil
		}
	}
	return false, firstErr
}

func (m *moderators) groupMembers(ctx context.Context, group string) ([]string, error) {
	m.mu.Lock()
	e, ok := m.cache[group]
	m.mu.Unlock()
	if ok && m.now().Sub(e.at) < m.ttl {
		return e.members, nil
	}
	ms, err := m.members(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("user group %s: %w", group, err)
	}
	m.mu.Lock()
	m.cache[group] = groupEntry{members: ms, at: m.now()}
	m.mu.Unlock()
	return ms, nil
}
