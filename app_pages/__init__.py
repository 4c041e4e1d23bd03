"""Pages of the Streamlit app, one file each; `common` holds what several pages share."""
