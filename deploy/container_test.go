package deploy

import (
	"bufio"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// nonroot is distroless's nonroot user and group, which the Dockerfile runs as.
const nonroot = 65532

// TestContainerRuntime proves the image's run-time assumptions without a
// container engine (none runs on the build machines, and no registry serves
// base images there). It builds the binary exactly as the Dockerfile does,
// checks that it is static, and runs it as uid 65532 in a root that holds
// only what the image holds: the binary, distroless's CA certificates and
// passwd entry, and the /data volume. The root is mounted read-only, as
// Kubernetes' readOnlyRootFilesystem makes it; only /data is writable. The
// server must start, serve /healthz and answer /v1/ask from the embedded
// knowledge base, recording into /data as the image's default does.
func TestContainerRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it in a mount namespace; not in -short")
	}
	needRoot(t)

	// The build stage: CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w".
	root := t.TempDir()
	bin := filepath.Join(root, "summitbot")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "github.com/summitbot/summitbot/cmd/summitbot")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build as in the Dockerfile: %v\n%s", err, out)
	}
	assertStatic(t, bin)

	// What gcr.io/distroless/static:nonroot provides that the binary uses.
	certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatalf("the host's CA bundle, standing in for distroless's: %v", err)
	}
	writeFile(t, filepath.Join(root, "etc/ssl/certs/ca-certificates.crt"), certs, 0o444)
	writeFile(t, filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"), 0o444)
	writeFile(t, filepath.Join(root, "etc/group"), []byte("root:x:0:\nnonroot:x:65532:\n"), 0o444)
	// COPY --chown=nonroot:nonroot /out/data /data; VOLUME /data.
	if err := os.Mkdir(filepath.Join(root, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	volume := t.TempDir()
	if err := os.Chown(volume, nonroot, nonroot); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(volume), 0o755); err != nil { // t.TempDir's parent is 0700
		t.Fatal(err)
	}

	token := randomHex(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// A private mount namespace: bind the root read-only, the volume
	// read-write at /data, then enter the root as nonroot with WORKDIR /data.
	script := `set -e
mount --bind "$R" "$R"
mount -o remount,bind,ro "$R"
mount --bind "$V" "$R/data"
exec unshare --root="$R" --wd=/data --setgid 65532 --setuid 65532 /summitbot serve`
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Env = []string{
		"R=" + root, "V=" + volume,
		"SUMMITBOT_ADDR=127.0.0.1:0",
		"SUMMITBOT_API_TOKEN=" + token,
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	exited := make(chan error, 1)
	addr := make(chan string, 1)
	var logs testutil.LockedBuffer // written by the reader below while the test reads it
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			logs.Write(append(line, '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "serving" {
				addr <- rec.Addr
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		<-exited
	})

	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-exited:
		t.Fatalf("the server exited before serving: %v\n%s", err, logs.String())
	case <-ctx.Done():
		t.Fatalf("the server did not start serving\n%s", logs.String())
	}

	if code, body := get(t, ctx, base+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}
	code, body := post(t, ctx, base+"/v1/ask", token, `{"question":"What is the Power of Siberia pipeline?"}`)
	var a struct {
		Answered bool   `json:"answered"`
		Answer   string `json:"answer"`
		Topic    *struct {
			ID string `json:"id"`
		} `json:"topic"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || !a.Answered || a.Topic == nil || a.Topic.ID != "power-of-siberia" {
		t.Errorf("/v1/ask: %d %s", code, body)
	}
	// Recording goes to the volume, the one writable place.
	if _, err := os.Stat(filepath.Join(volume, "summitbot.db")); err != nil {
		t.Errorf("no database on the /data volume: %v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), "Power of Siberia") {
		t.Errorf("the logs carry question text:\n%s", logs.String())
	}
}

// needRoot fails under CI, where the test must run, and skips elsewhere
// when the machine cannot make mount namespaces.
func needRoot(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("unshare")
	if os.Geteuid() == 0 && err == nil {
		return
	}
	why := "needs root and util-linux unshare to build a read-only root"
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// assertStatic fails if the binary asks for a dynamic loader: distroless
// static has none.
func assertStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary is dynamically linked (it has PT_INTERP); distroless static has no loader")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary needs shared libraries: %v", libs)
	}
}

func writeFile(t *testing.T, path string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func get(t *testing.T, ctx context.Context, url, token string) (int, string) {
	t.Helper()
	return do(t, ctx, http.MethodGet, url, token, "")
}

func post(t *testing.T, ctx context.Context, url, token, body string) (int, string) {
	t.Helper()
	return do(t, ctx, http.MethodPost, url, token, body)
}

func do(t *testing.T, ctx context.Context, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
