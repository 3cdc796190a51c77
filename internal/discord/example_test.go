package discord_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"log"
	"net/http"
	"os"
	"os/signal"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/discord"
	"github.com/summitbot/summitbot/knowledge"
)

// Example wires the adapter both ways: the gateway and the HTTP
// interactions endpoint. Environment variables are read by the caller.
func Example() {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var key ed25519.PublicKey
	if hexKey := os.Getenv("DISCORD_PUBLIC_KEY"); hexKey != "" {
		if key, err = hex.DecodeString(hexKey); err != nil {
			log.Fatal(err)
		}
	}
	a, err := discord.New(bot.New(kb, bot.Options{}), discord.Config{
		Token:     os.Getenv("DISCORD_TOKEN"),
		AppID:     os.Getenv("DISCORD_APP_ID"),
		GuildID:   os.Getenv("DISCORD_GUILD_ID"),
		PublicKey: key,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	http.Handle("POST /discord/interactions", a.InteractionsHandler())
	go func() { log.Fatal(http.ListenAndServe(":8080", nil)) }()
	if err := a.RunGateway(ctx); err != nil {
		log.Fatal(err)
	}
}
