//go:build ignore

// gen.go writes wordnet.bin.gz from the WordNet 3.0 files Debian's
// wordnet-base package installs. Run it with go generate.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"log"
	"os"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

func main() {
	in := flag.String("in", "/usr/share/wordnet", "folder with the WordNet 3.0 database files")
	out := flag.String("out", "wordnet.bin.gz", "table to write")
	flag.Parse()
	raw, err := wngen.Build(*in)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	// No name and no modification time in the header: the output depends
	// only on the input.
	if _, err := zw.Write(raw); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes (%d uncompressed)", *out, buf.Len(), len(raw))
}
