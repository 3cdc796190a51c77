package knowledge

import (
	"embed"
	"io/fs"
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
