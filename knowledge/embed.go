package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"time"
)

//go:embed data
var embedded embed.FS

// Embedded returns the knowledge base compiled into the binary, laid out as
// a knowledge folder (topics/, summits.yaml, tests.yaml).
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // cannot happen: "data" is a valid path
	}
	return sub
}

// EmbeddedPrefix is where the embedded files live in the source tree, for
// problem messages that point moderators at the file to edit.
const EmbeddedPrefix = "knowledge/data"

// LoadDir loads the knowledge folder dir, or the embedded knowledge base
// when dir is empty, with problem paths pointing at the files a moderator
// edits. now is the time for review-date checks; zero means time.Now.
// Only regular files inside dir are read (safefs.go): entries of topics/
// that are named pipes, devices or symlinks leaving dir are left out with
// a warning, and such an entry in place of summits.yaml or tests.yaml is an
// error.
func LoadDir(dir string, now time.Time) (*KB, error) {
	opts := Options{Now: now}
	if dir == "" {
		opts.Prefix = EmbeddedPrefix
		return Load(Embedded(), opts)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("knowledge folder %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("knowledge folder %s is not a directory", dir)
	}
	opts.Prefix = dir
	return loadRoot(dir, opts)
}
