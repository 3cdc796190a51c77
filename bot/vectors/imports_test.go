package vectors

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoGenerator keeps the generator and what it reads the tarball
// with out of the binary: vectors shares only the layout with glovegen.
func TestLinksNoGenerator(t *testing.T) {
	const pkg = "github.com/summitbot/summitbot/bot/vectors"
	out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	forbidden := []string{pkg + "/internal/glovegen", "archive/tar", "compress/gzip", "crypto/sha512", "encoding/json"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f {
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}
