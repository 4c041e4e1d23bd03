"""What several pages share: session, sidebar, address bar, gate, forms and widgets."""
