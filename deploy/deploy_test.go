// Package deploy holds the container and Kubernetes files; its test checks
// them the way "kubectl apply --validate=strict" would, plus the rules this
// project cares about (probes, resources, non-root, shard wiring).
package deploy

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/store"
)

// kinds maps each kind the manifests may use to its apiVersion and a
// constructor of the typed object.
var kinds = map[string]struct {
	apiVersion string
	new        func() any
}{
	"ConfigMap":               {"v1", func() any { return &corev1.ConfigMap{} }},
	"Secret":                  {"v1", func() any { return &corev1.Secret{} }},
	"Service":                 {"v1", func() any { return &corev1.Service{} }},
	"Deployment":              {"apps/v1", func() any { return &appsv1.Deployment{} }},
	"StatefulSet":             {"apps/v1", func() any { return &appsv1.StatefulSet{} }},
	"PodDisruptionBudget":     {"policy/v1", func() any { return &policyv1.PodDisruptionBudget{} }},
	"HorizontalPodAutoscaler": {"autoscaling/v2", func() any { return &autoscalingv2.HorizontalPodAutoscaler{} }},
	"Ingress":                 {"networking.k8s.io/v1", func() any { return &networkingv1.Ingress{} }},
}

// manifests is every object in kubernetes/*.yaml, decoded strictly.
type manifests struct {
	objects      []any
	byKindName   map[string]any // "Kind/name"
	deployments  []*appsv1.Deployment
	statefulSets []*appsv1.StatefulSet
}

// workload is a Deployment's or StatefulSet's pod template with its name.
type workload struct {
	kind, name string
	selector   *metav1.LabelSelector
	template   corev1.PodTemplateSpec
	claims     []corev1.PersistentVolumeClaim // a StatefulSet's volumeClaimTemplates
}

func (m *manifests) workloads() []workload {
	var ws []workload
	for _, d := range m.deployments {
		ws = append(ws, workload{"Deployment", d.Name, d.Spec.Selector, d.Spec.Template, nil})
	}
	for _, s := range m.statefulSets {
		ws = append(ws, workload{"StatefulSet", s.Name, s.Spec.Selector, s.Spec.Template, s.Spec.VolumeClaimTemplates})
	}
	return ws
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

func load(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	m := &manifests{byKindName: map[string]any{}}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSeparator.Split(string(src), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			where := fmt.Sprintf("%s document %d", file, i+1)
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			k, ok := kinds[tm.Kind]
			if !ok {
				t.Fatalf("%s: kind %q is not one this test knows", where, tm.Kind)
			}
			if tm.APIVersion != k.apiVersion {
				t.Fatalf("%s: %s has apiVersion %q, want %q", where, tm.Kind, tm.APIVersion, k.apiVersion)
			}
			obj := k.new()
			// Strict: an unknown or misspelt field, or a duplicate key, fails
			// as "kubectl apply --validate=strict" would.
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s (%s): %v", where, tm.Kind, err)
			}
			meta := obj.(metav1.Object)
			if meta.GetName() == "" {
				t.Fatalf("%s: no metadata.name", where)
			}
			key := tm.Kind + "/" + meta.GetName()
			if _, dup := m.byKindName[key]; dup {
				t.Fatalf("%s: %s defined twice", where, key)
			}
			m.byKindName[key] = obj
			m.objects = append(m.objects, obj)
			switch o := obj.(type) {
			case *appsv1.Deployment:
				m.deployments = append(m.deployments, o)
			case *appsv1.StatefulSet:
				m.statefulSets = append(m.statefulSets, o)
			}
		}
	}
	return m
}

func stripComments(doc string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := load(t)
	for _, want := range []string{
		"Deployment/summitbot-http", "StatefulSet/summitbot-gateway", "Secret/summitbot",
		"PodDisruptionBudget/summitbot-http", "HorizontalPodAutoscaler/summitbot-http",
	} {
		if m.byKindName[want] == nil {
			t.Errorf("missing %s", want)
		}
	}
}

// TestStrictDecodingCatchesMistakes makes sure the check above can fail.
func TestStrictDecodingCatchesMistakes(t *testing.T) {
	bad := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, name: y}\n",
	}
	for _, doc := range bad {
		if err := yaml.UnmarshalStrict([]byte(doc), &appsv1.Deployment{}); err == nil {
			t.Errorf("accepted:\n%s", doc)
		}
	}
}

func TestSelectorsMatchTemplates(t *testing.T) {
	m := load(t)
	for _, w := range m.workloads() {
		sel, err := metav1.LabelSelectorAsSelector(w.selector)
		if err != nil || sel.Empty() {
			t.Errorf("%s/%s: bad or empty selector: %v", w.kind, w.name, err)
			continue
		}
		if !sel.Matches(labels.Set(w.template.Labels)) {
			t.Errorf("%s/%s: selector %s does not match template labels %v", w.kind, w.name, sel, w.template.Labels)
		}
	}
	// Every Service, PDB and HPA points at a workload that exists.
	matchesWorkload := func(set labels.Selector) bool {
		for _, w := range m.workloads() {
			if set.Matches(labels.Set(w.template.Labels)) {
				return true
			}
		}
		return false
	}
	for _, obj := range m.objects {
		switch o := obj.(type) {
		case *corev1.Service:
			if !matchesWorkload(labels.SelectorFromSet(o.Spec.Selector)) || len(o.Spec.Selector) == 0 {
				t.Errorf("Service/%s selects no workload", o.Name)
			}
		case *policyv1.PodDisruptionBudget:
			sel, err := metav1.LabelSelectorAsSelector(o.Spec.Selector)
			if err != nil || sel.Empty() || !matchesWorkload(sel) {
				t.Errorf("PodDisruptionBudget/%s selects no workload", o.Name)
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := o.Spec.ScaleTargetRef
			if m.byKindName[ref.Kind+"/"+ref.Name] == nil {
				t.Errorf("HorizontalPodAutoscaler/%s targets missing %s/%s", o.Name, ref.Kind, ref.Name)
			}
			if o.Spec.MinReplicas == nil || *o.Spec.MinReplicas < 2 || o.Spec.MaxReplicas < *o.Spec.MinReplicas {
				t.Errorf("HorizontalPodAutoscaler/%s: replicas range", o.Name)
			}
		case *networkingv1.Ingress:
			for _, r := range o.Spec.Rules {
				for _, p := range r.HTTP.Paths {
					if m.byKindName["Service/"+p.Backend.Service.Name] == nil {
						t.Errorf("Ingress/%s: backend Service %s is missing", o.Name, p.Backend.Service.Name)
					}
					if p.Path == "/" || strings.HasPrefix(p.Path, "/metrics") {
						t.Errorf("Ingress/%s exposes %s publicly", o.Name, p.Path)
					}
				}
			}
		}
	}
	for _, s := range m.statefulSets {
		svc, ok := m.byKindName["Service/"+s.Spec.ServiceName].(*corev1.Service)
		if !ok || svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("StatefulSet/%s: serviceName %q is not a headless Service here", s.Name, s.Spec.ServiceName)
		}
	}
}

func TestPodsAreHardened(t *testing.T) {
	m := load(t)
	for _, w := range m.workloads() {
		spec := w.template.Spec
		podSC := spec.SecurityContext
		if podSC == nil || podSC.RunAsNonRoot == nil || !*podSC.RunAsNonRoot {
			t.Errorf("%s/%s: pod securityContext.runAsNonRoot is not true", w.kind, w.name)
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			t.Errorf("%s/%s: mounts a service account token it does not need", w.kind, w.name)
		}
		all := append(slices.Clone(spec.InitContainers), spec.Containers...)
		for _, c := range all {
			where := fmt.Sprintf("%s/%s container %s", w.kind, w.name, c.Name)
			uid := int64(-1)
			if podSC != nil && podSC.RunAsUser != nil {
				uid = *podSC.RunAsUser
			}
			if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
				uid = *c.SecurityContext.RunAsUser
			}
			if uid == 0 {
				t.Errorf("%s runs as root", where)
			}
			sc := c.SecurityContext
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: allowPrivilegeEscalation is not false", where)
			}
			if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
				t.Errorf("%s: does not drop all capabilities", where)
			}
			req, lim := c.Resources.Requests, c.Resources.Limits
			if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
				t.Errorf("%s: wants cpu and memory requests and a memory limit, has %v / %v", where, req, lim)
			}
			if !strings.Contains(c.Image, ":") || strings.HasSuffix(c.Image, ":") {
				t.Errorf("%s: image %q has no tag", where, c.Image)
			}
		}
		for _, c := range spec.Containers {
			where := fmt.Sprintf("%s/%s container %s", w.kind, w.name, c.Name)
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				t.Errorf("%s: wants liveness and readiness probes", where)
			}
			for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil {
					continue
				}
				if !hasPort(c, p.HTTPGet.Port.String()) {
					t.Errorf("%s: probe port %s is not a container port", where, p.HTTPGet.Port.String())
				}
			}
			if c.Name == "summitbot" {
				if c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
					t.Errorf("%s: liveness must probe /healthz", where)
				}
				if c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
					t.Errorf("%s: readiness must probe /readyz", where)
				}
				if c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
					t.Errorf("%s: root filesystem is writable", where)
				}
			}
		}
		if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds < 20 {
			t.Errorf("%s/%s: terminationGracePeriodSeconds below the 10 s drain plus closing", w.kind, w.name)
		}
	}
}

func hasPort(c corev1.Container, port string) bool {
	for _, p := range c.Ports {
		if p.Name == port || strconv.Itoa(int(p.ContainerPort)) == port {
			return true
		}
	}
	return false
}

// env resolves a container's environment from env and envFrom ConfigMaps
// in the manifests (Secrets count as set, with their key's value).
func env(t *testing.T, m *manifests, c corev1.Container) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm, ok := m.byKindName["ConfigMap/"+ef.ConfigMapRef.Name].(*corev1.ConfigMap)
			if !ok {
				t.Errorf("container %s: envFrom ConfigMap %s is missing", c.Name, ef.ConfigMapRef.Name)
				continue
			}
			maps.Copy(vars, cm.Data)
		case ef.SecretRef != nil:
			s, ok := m.byKindName["Secret/"+ef.SecretRef.Name].(*corev1.Secret)
			if !ok {
				t.Errorf("container %s: envFrom Secret %s is missing", c.Name, ef.SecretRef.Name)
				continue
			}
			maps.Copy(vars, s.StringData)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			vars[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			s, ok := m.byKindName["Secret/"+ref.Name].(*corev1.Secret)
			if !ok {
				t.Errorf("container %s: %s refers to missing Secret %s", c.Name, e.Name, ref.Name)
				continue
			}
			v, ok := s.StringData[ref.Key]
			if !ok {
				t.Errorf("container %s: %s refers to missing key %s of Secret %s", c.Name, e.Name, ref.Key, ref.Name)
			}
			vars[e.Name] = v
		}
	}
	return vars
}

func container(spec corev1.PodSpec, name string) (corev1.Container, bool) {
	for _, c := range spec.Containers {
		if c.Name == name {
			return c, true
		}
	}
	return corev1.Container{}, false
}

// knownEnv is every variable summitbot reads.
func knownEnv() map[string]bool {
	known := map[string]bool{"HOSTNAME": true}
	for _, s := range config.Settings() {
		known[s.Env] = true
	}
	return known
}

// TestSummitbotConfigIsValid runs each pod's summitbot environment through
// the real configuration parser, and checks the wiring of each mode.
func TestSummitbotConfigIsValid(t *testing.T) {
	m := load(t)
	known := knownEnv()
	for _, w := range m.workloads() {
		c, ok := container(w.template.Spec, "summitbot")
		if !ok {
			t.Errorf("%s/%s: no summitbot container", w.kind, w.name)
			continue
		}
		vars := env(t, m, c)
		for k := range vars {
			if !known[k] {
				t.Errorf("%s/%s: summitbot does not read %s (a typo?)", w.kind, w.name, k)
			}
		}
		// Placeholders as a real operator would fill them in.
		if w.kind == "StatefulSet" {
			vars["DISCORD_TOKEN"] = "token"
			vars["HOSTNAME"] = w.name + "-1"
		}
		cfg, err := config.Parse(c.Args[1:], func(k string) string { return vars[k] }, &bytes.Buffer{})
		if err != nil {
			t.Errorf("%s/%s: summitbot would not start: %v", w.kind, w.name, err)
			continue
		}
		if !strings.HasSuffix(cfg.Addr, ":"+strconv.Itoa(int(c.Ports[0].ContainerPort))) {
			t.Errorf("%s/%s: listens on %s but exposes %d", w.kind, w.name, cfg.Addr, c.Ports[0].ContainerPort)
		}
		checkKBSync(t, m, w, c, cfg.KBDir)
		if problem := sqliteProblem(w, c, cfg.DatabaseURL, imageWorkdir(t)); problem != "" {
			t.Errorf("%s/%s: %s", w.kind, w.name, problem)
		}

		switch w.kind {
		case "Deployment":
			if vars["DISCORD_GATEWAY"] != "false" {
				t.Errorf("Deployment/%s: every replica would open a Discord gateway session", w.name)
			}
			if vars["SLACK_APP_TOKEN"] != "" {
				t.Errorf("Deployment/%s: every replica would open a Slack Socket Mode connection", w.name)
			}
		case "StatefulSet":
			ss := m.byKindName["StatefulSet/"+w.name].(*appsv1.StatefulSet)
			if vars["DISCORD_SHARD_ID"] != "ordinal" {
				t.Errorf("StatefulSet/%s: DISCORD_SHARD_ID is %q, want ordinal", w.name, vars["DISCORD_SHARD_ID"])
			}
			if ss.Spec.Replicas == nil || strconv.Itoa(int(*ss.Spec.Replicas)) != vars["DISCORD_SHARD_COUNT"] {
				t.Errorf("StatefulSet/%s: replicas and DISCORD_SHARD_COUNT (%s) differ", w.name, vars["DISCORD_SHARD_COUNT"])
			}
			if !cfg.Discord.GatewayEnabled() || cfg.Discord.ShardID != 1 {
				t.Errorf("StatefulSet/%s: pod -1 would not run gateway shard 1: %+v", w.name, cfg.Discord)
			}
		}
	}
}

// sqliteProblem reports why a container that records to a SQLite file
// could not open it: with a read-only root filesystem the file's folder must
// be a writable volume mount, or store.Open fails and the pod crash-loops.
// workdir resolves a relative path (the image's WORKDIR unless the container
// sets workingDir). It returns "" when there is no problem.
func sqliteProblem(w workload, c corev1.Container, databaseURL, workdir string) string {
	if !strings.HasPrefix(databaseURL, "sqlite:") {
		return ""
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		return ""
	}
	file, err := store.Location(databaseURL)
	if err != nil {
		return fmt.Sprintf("database URL: %v", err)
	}
	if c.WorkingDir != "" {
		workdir = c.WorkingDir
	}
	if !path.IsAbs(file) {
		file = path.Join(workdir, file)
	}
	dir := path.Dir(file)
	for _, vm := range c.VolumeMounts {
		if (dir == vm.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(vm.MountPath, "/")+"/")) && !vm.ReadOnly && podVolume(w, vm.Name) {
			return ""
		}
	}
	return fmt.Sprintf("container %s records to %s on a read-only root filesystem with no writable volume mounted at %s: "+
		"store.Open would fail and the pod crash-loop (set SUMMITBOT_DATABASE_URL to postgres://… or off, or mount a volume)", c.Name, file, dir)
}

// podVolume reports whether the pod declares the volume name (or, in a
// StatefulSet, claims it).
func podVolume(w workload, name string) bool {
	for _, v := range w.template.Spec.Volumes {
		if v.Name == name {
			return true
		}
	}
	for _, pvc := range w.claims {
		if pvc.Name == name {
			return true
		}
	}
	return false
}

// imageWorkdir is the runtime stage's WORKDIR in the Dockerfile, where a
// relative SQLite path such as the default sqlite:summitbot.db lands.
func imageWorkdir(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	dir := "/"
	for line := range strings.SplitSeq(string(src), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "FROM "):
			dir = "/"
		case strings.HasPrefix(line, "WORKDIR "):
			dir = path.Join(dir, strings.TrimSpace(strings.TrimPrefix(line, "WORKDIR ")))
		}
	}
	return dir
}

func TestSQLiteNeedsWritableVolume(t *testing.T) {
	readOnly := &corev1.SecurityContext{ReadOnlyRootFilesystem: new(true)}
	data := corev1.VolumeMount{Name: "data", MountPath: "/data"}
	withVolume := workload{kind: "Deployment", name: "x"}
	withVolume.template.Spec.Volumes = []corev1.Volume{{Name: "data"}}
	tests := []struct {
		name    string
		w       workload
		c       corev1.Container
		url     string
		problem bool
	}{
		{"default on a read-only root", workload{}, corev1.Container{SecurityContext: readOnly}, config.DefaultDatabaseURL, true},
		{"default with a volume at the workdir", withVolume, corev1.Container{SecurityContext: readOnly, VolumeMounts: []corev1.VolumeMount{data}}, config.DefaultDatabaseURL, false},
		{"volume mounted read-only", withVolume, corev1.Container{SecurityContext: readOnly, VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data", ReadOnly: true}}}, config.DefaultDatabaseURL, true},
		{"volume elsewhere", withVolume, corev1.Container{SecurityContext: readOnly, VolumeMounts: []corev1.VolumeMount{data}}, "sqlite:/var/lib/summitbot/x.db", true},
		{"mount without a pod volume", workload{}, corev1.Container{SecurityContext: readOnly, VolumeMounts: []corev1.VolumeMount{data}}, config.DefaultDatabaseURL, true},
		{"writable root", workload{}, corev1.Container{}, config.DefaultDatabaseURL, false},
		{"postgres", workload{}, corev1.Container{SecurityContext: readOnly}, "postgres://db/summitbot", false},
		{"off", workload{}, corev1.Container{SecurityContext: readOnly}, "", false},
	}
	for _, tt := range tests {
		if got := sqliteProblem(tt.w, tt.c, tt.url, "/data"); (got != "") != tt.problem {
			t.Errorf("%s: problem %q, want one: %v", tt.name, got, tt.problem)
		}
	}
}

// checkKBSync checks that --kb points inside the folder git-sync publishes
// in the same pod: same volume, GITSYNC_ROOT/GITSYNC_LINK as the prefix.
func checkKBSync(t *testing.T, m *manifests, w workload, app corev1.Container, kb string) {
	t.Helper()
	if kb == "" {
		t.Errorf("%s/%s: no SUMMITBOT_KB, so moderators' merges never arrive", w.kind, w.name)
		return
	}
	sync, ok := container(w.template.Spec, "git-sync")
	if !ok {
		t.Errorf("%s/%s: no git-sync sidecar", w.kind, w.name)
		return
	}
	gs := env(t, m, sync)
	published := path.Join(gs["GITSYNC_ROOT"], gs["GITSYNC_LINK"])
	if gs["GITSYNC_REPO"] == "" || !strings.HasPrefix(kb, published+"/") {
		t.Errorf("%s/%s: SUMMITBOT_KB %s is not under git-sync's %s", w.kind, w.name, kb, published)
	}
	mountOf := func(c corev1.Container) (corev1.VolumeMount, bool) {
		for _, vm := range c.VolumeMounts {
			if strings.HasPrefix(gs["GITSYNC_ROOT"]+"/", vm.MountPath+"/") {
				return vm, true
			}
		}
		return corev1.VolumeMount{}, false
	}
	am, ok1 := mountOf(app)
	sm, ok2 := mountOf(sync)
	if !ok1 || !ok2 || am.Name != sm.Name || am.MountPath != sm.MountPath {
		t.Errorf("%s/%s: summitbot and git-sync do not share the knowledge volume", w.kind, w.name)
	}
	if !am.ReadOnly {
		t.Errorf("%s/%s: summitbot can write the knowledge volume", w.kind, w.name)
	}
	init := false
	for _, ic := range w.template.Spec.InitContainers {
		if env(t, m, ic)["GITSYNC_ONE_TIME"] == "true" {
			init = true
		}
	}
	if !init {
		t.Errorf("%s/%s: no one-time git-sync init container: summitbot would start before the first checkout", w.kind, w.name)
	}
}

// compose is the part of the Compose file format this test reads.
type compose struct {
	Name     string `json:"name"`
	Services map[string]struct {
		Build *struct {
			Context    string `json:"context"`
			Dockerfile string `json:"dockerfile"`
		} `json:"build"`
		Image       string            `json:"image"`
		Restart     string            `json:"restart"`
		EnvFile     []string          `json:"env_file"`
		Environment map[string]string `json:"environment"`
		Volumes     []struct {
			Type     string `json:"type"`
			Source   string `json:"source"`
			Target   string `json:"target"`
			ReadOnly bool   `json:"read_only"`
		} `json:"volumes"`
		Ports           []string `json:"ports"`
		ReadOnly        bool     `json:"read_only"`
		CapDrop         []string `json:"cap_drop"`
		SecurityOpt     []string `json:"security_opt"`
		StopGracePeriod string   `json:"stop_grace_period"`
		MemLimit        string   `json:"mem_limit"`
	} `json:"services"`
	Volumes map[string]struct{} `json:"volumes"`
}

func TestCompose(t *testing.T) {
	src, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.UnmarshalStrict(src, &c); err != nil {
		t.Fatal(err)
	}
	s, ok := c.Services["summitbot"]
	if !ok {
		t.Fatal("no summitbot service")
	}
	if s.Build == nil || s.Build.Dockerfile != "Dockerfile" {
		t.Error("the service is not built from the Dockerfile")
	} else if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
		t.Errorf("build context: %v", err)
	}
	if len(s.EnvFile) == 0 {
		t.Error("no env file")
	}
	if s.MemLimit == "" {
		t.Error("no mem_limit: a flood of connections must not take the host's memory")
	}
	kb := s.Environment["SUMMITBOT_KB"]
	mounted := false
	for _, v := range s.Volumes {
		if v.Target == kb && v.ReadOnly {
			mounted = true
			if _, err := os.Stat(filepath.Join(v.Source, "topics")); err != nil {
				t.Errorf("the mounted knowledge folder %s has no topics/: %v", v.Source, err)
			}
		}
	}
	if kb == "" || !mounted {
		t.Errorf("SUMMITBOT_KB=%q is not a read-only mounted folder", kb)
	}
	// The root filesystem is read-only: the default SQLite database in the
	// image's working folder (/data) needs a writable named volume there.
	data := false
	for _, v := range s.Volumes {
		if v.Target == "/data" && !v.ReadOnly && v.Type == "volume" {
			_, declared := c.Volumes[v.Source]
			data = declared
		}
	}
	if s.ReadOnly && !data {
		t.Error("read_only is set but no declared, writable volume is mounted at /data for the recorded questions")
	}
	// The example env file names only variables summitbot reads.
	known := knownEnv()
	example, err := os.ReadFile("summitbot.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(example), "\n") {
		name, _, ok := strings.Cut(line, "=")
		if ok && !strings.HasPrefix(line, "#") && !known[name] {
			t.Errorf("summitbot.env.example sets %s, which summitbot does not read", name)
		}
	}
	for k := range s.Environment {
		if !known[k] {
			t.Errorf("compose.yaml sets %s, which summitbot does not read", k)
		}
	}
}

func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, lines []string
	for line := range strings.SplitSeq(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
		if strings.HasPrefix(line, "FROM ") {
			froms = append(froms, line)
		}
	}
	if len(froms) < 2 {
		t.Errorf("not a multi-stage build: %v", froms)
	}
	if len(froms) > 0 && froms[len(froms)-1] != "FROM gcr.io/distroless/static:nonroot" {
		t.Errorf("runtime image is %q, want gcr.io/distroless/static:nonroot", froms[len(froms)-1])
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"CGO_ENABLED=0",
		"USER nonroot",
		`HEALTHCHECK`,
		`CMD ["/summitbot", "healthcheck"]`,
		`ENTRYPOINT ["/summitbot"]`,
		`CMD ["serve"]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if strings.Contains(text, "SUMMITBOT_KB") {
		t.Error("the image sets SUMMITBOT_KB: the embedded knowledge base must be the default")
	}
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git"} {
		if !strings.Contains(string(ignore), want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
	if strings.Contains(string(ignore), "knowledge") {
		t.Error(".dockerignore drops the knowledge base the binary embeds")
	}
}
