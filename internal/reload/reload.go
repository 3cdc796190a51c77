// Package reload watches a knowledge folder and says when it has changed,
// once a burst of changes has settled.
//
// It survives the ways moderators' files really change: editors that save by
// writing a temporary file and renaming it over the original, topics/ being
// deleted and re-created, and the whole folder being swapped by a symlink
// flip (git-sync, Kubernetes volume updates). After every burst it resolves
// the folder's path again and moves its watches to wherever the path now
// points.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the folder must be quiet before a change is
// reported.
const DefaultDebounce = 300 * time.Millisecond

// maxDelay bounds how long a steady stream of changes can hold a report back.
const maxDelay = 3 * time.Second

// Options configure a Watcher. The zero value is a useful default.
type Options struct {
	// Debounce is how long the folder must be quiet before onChange runs;
	// default DefaultDebounce.
	Debounce time.Duration
	// Logger receives watch errors; default slog.Default().
	Logger *slog.Logger
	// ready, if set, is called once the first watches are placed: tests
	// wait for it instead of guessing how long that takes.
	ready func()
}

// Watcher watches one knowledge folder.
type Watcher struct {
	dir  string
	opts Options
}

// New returns a Watcher for the folder dir (which holds topics/,
// summits.yaml and tests.yaml).
func New(dir string, opts Options) (*Watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Watcher{dir: abs, opts: opts}, nil
}

// rule says which events in one watched directory matter.
type rule struct {
	// files: any knowledge file (.md, .yaml, .yml) in the directory.
	files bool
	// names: these entries of the directory (full paths) being created,
	// removed, renamed or replaced.
	names map[string]bool
}

// Run watches until ctx is done and calls onChange, never concurrently,
// after each burst of changes has been quiet for the debounce interval. It
// returns nil when ctx is done, or an error if the watch cannot start.
func (w *Watcher) Run(ctx context.Context, onChange func(ctx context.Context)) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.dir, err)
	}
	defer fw.Close()

	rules := w.sync(fw)
	if len(rules) == 0 {
		return fmt.Errorf("watch %s: nothing to watch", w.dir)
	}
	if w.opts.ready != nil {
		w.opts.ready()
	}

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time // first event of the current burst; zero if none
	fire := func() {
		rules = w.sync(fw)
		first = time.Time{}
		onChange(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if !relevant(rules, ev) {
				continue
			}
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			// Wait for quiet, but never longer than maxDelay since the
			// burst started.
			wait := min(w.opts.Debounce, maxDelay-now.Sub(first))
			timer.Reset(max(wait, 0))
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			w.opts.Logger.Warn("knowledge folder watch error", "dir", w.dir, "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: reload to be sure.
				timer.Reset(w.opts.Debounce)
			}
		case <-timer.C:
			fire()
		}
	}
}

// relevant reports whether an event may change the knowledge base.
func relevant(rules map[string]rule, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if _, watched := rules[ev.Name]; watched {
		return true // a watched directory itself went away or moved
	}
	r, ok := rules[filepath.Dir(ev.Name)]
	if !ok {
		return false
	}
	return r.names[ev.Name] || (r.files && knowledgeFile(ev.Name))
}

func knowledgeFile(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") {
		return false // editor swap files, .#locks
	}
	switch filepath.Ext(base) {
	case ".md", ".yaml", ".yml":
		return true
	}
	return false
}

// plan works out which directories to watch for the folder as its path
// resolves now.
func (w *Watcher) plan() map[string]rule {
	rules := map[string]rule{}
	get := func(dir string) rule {
		r, ok := rules[dir]
		if !ok {
			r = rule{names: map[string]bool{}}
		}
		return r
	}
	// The folder's files, and topics/ appearing or being replaced.
	if real, err := filepath.EvalSymlinks(w.dir); err == nil {
		r := get(real)
		r.files = true
		r.names[filepath.Join(real, "topics")] = true
		rules[real] = r
		if topics, err := filepath.EvalSymlinks(filepath.Join(real, "topics")); err == nil {
			t := get(topics)
			t.files = true
			rules[topics] = t
		}
	}
	// The folder itself and every symlink on its path being replaced: watch
	// the nearest existing parent for the entry on the way to the folder.
	targets := []string{w.dir}
	for a := filepath.Dir(w.dir); a != filepath.Dir(a); a = filepath.Dir(a) {
		if fi, err := os.Lstat(a); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			targets = append(targets, a)
		}
	}
	for _, target := range targets {
		child := target
		for parent := filepath.Dir(child); ; child, parent = parent, filepath.Dir(parent) {
			if real, err := filepath.EvalSymlinks(parent); err == nil {
				r := get(real)
				r.names[filepath.Join(real, filepath.Base(child))] = true
				rules[real] = r
				break
			}
			if parent == filepath.Dir(parent) {
				break
			}
		}
	}
	return rules
}

// sync moves the watches to the current plan. New watches are added before
// stale ones are removed, so no event falls in between; a directory that was
// deleted and re-created at the same path is watched again, because fsnotify
// drops the watch of a deleted or moved directory.
func (w *Watcher) sync(fw *fsnotify.Watcher) map[string]rule {
	rules := w.plan()
	current := map[string]bool{}
	for _, dir := range fw.WatchList() {
		current[dir] = true
	}
	for dir := range rules {
		if current[dir] {
			continue
		}
		if err := fw.Add(dir); err != nil {
			w.opts.Logger.Warn("cannot watch knowledge directory", "dir", dir, "err", err)
			delete(rules, dir)
		}
	}
	for dir := range current {
		if _, ok := rules[dir]; !ok {
			_ = fw.Remove(dir) // it may already be gone with its directory
		}
	}
	return rules
}
