//go:build race

package bot

// raceEnabled thins the generated-question property test under the race
// detector, which runs it about five times slower.
const raceEnabled = true
