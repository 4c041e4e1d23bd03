"""Pages of the Streamlit app, one file each; `_ui` holds what several pages share."""
