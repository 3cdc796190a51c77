package bot

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreImportsNoPlatform keeps the core free of chat platforms: neither
// bot nor knowledge may depend on discordgo or slack-go, even indirectly.
func TestCoreImportsNoPlatform(t *testing.T) {
	for _, pkg := range []string{"github.com/summitbot/summitbot/bot", "github.com/summitbot/summitbot/knowledge"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/bwmarrin/discordgo") || strings.HasPrefix(dep, "github.com/slack-go/slack") {
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}
