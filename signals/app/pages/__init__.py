"""One module per page; each `render()` reads like the screen it draws."""
