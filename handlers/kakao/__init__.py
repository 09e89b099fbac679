"""KakaoTalk adapter (Kakao i Open Builder skill JSON v2.0): a skill call becomes an Event,
an Outcome becomes a skill response inside Kakao's limits."""
