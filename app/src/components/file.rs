//! Files chosen in the browser.

use wasm_bindgen::JsCast;

/// Read the chosen file's text in the browser.
pub async fn read_file(input_id: &str) -> Result<(String, String), String> {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(input_id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .ok_or("no file input")?;
    let file = input.files().and_then(|f| f.get(0)).ok_or("Choose a CSV file first.")?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| "The file could not be read.")?;
    Ok((file.name(), text.as_string().unwrap_or_default()))
}
