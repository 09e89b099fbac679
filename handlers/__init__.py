"""Channel adapters: parse what people send, call one core service, render the answer."""
