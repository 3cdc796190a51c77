package bot

import "testing"

// TestWordKinds: a word's kinds are the sets it is in, bit i for sets[i],
// and the tables built from the word sets say what the sets say.
func TestWordKinds(t *testing.T) {
	kinds := wordKinds(set(`a b`), set(`b c`), map[string]bool{"d": false})
	for _, tc := range []struct {
		word string
		want uint8
	}{
		{"a", 1}, {"b", 3}, {"c", 2}, {"d", 0}, {"e", 0},
	} {
		if got := kinds[tc.word]; got != tc.want {
			t.Errorf("wordKinds: %q = %b, want %b", tc.word, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name  string
		kinds map[string]uint8
		sets  []map[string]bool
	}{
		{"timelineKinds", timelineKinds, []map[string]bool{meetingWords, travelWords, putinWords, xiWords, latestWords, countWords, purposeWords, whenWords}},
		{"sideKinds", sideKinds, []map[string]bool{pairWords, xiWords, putinWords, sovietWords}},
	} {
		for i, s := range tc.sets {
			for w := range s {
				if tc.kinds[w]&(1<<i) == 0 {
					t.Errorf("%s: %q lacks the bit of set %d", tc.name, w, i)
				}
			}
		}
	}
	// Each kind constant is the bit of its own set, in the order the
	// tables are built.
	for i, k := range []uint8{kindMeeting, kindTravel, kindPutin, kindXi, kindLatest, kindCount, kindPurpose, kindWhen} {
		if k != 1<<i {
			t.Errorf("timeline kind %d is %b, want %b", i, k, 1<<i)
		}
	}
	if timelineKinds["meeting"] != kindMeeting || timelineKinds["putin"] != kindPutin || timelineKinds["last"] != kindLatest {
		t.Errorf("timelineKinds: meeting %b, putin %b, last %b", timelineKinds["meeting"], timelineKinds["putin"], timelineKinds["last"])
	}
	if sideKinds["bilateral"] != sidePair || sideKinds["ussr"] != sideSoviet || sideKinds["jinping"] != sideXi {
		t.Errorf("sideKinds: bilateral %b, ussr %b, jinping %b", sideKinds["bilateral"], sideKinds["ussr"], sideKinds["jinping"])
	}
}
