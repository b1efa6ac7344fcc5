//! Taking a session out and bringing one in: a link to this exact moment, the session as a
//! scenario file, its trace, and opening a file. A file that cannot be opened leaves an error
//! and the current run as it was.

use yew::prelude::*;

use crate::tr;

use crate::app::files::read_picked;

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    /// Makes the link to the current moment and hands it to the callback once the browser has
    /// compressed it.
    pub make_link: Callback<Callback<String>>,
    pub on_export_scenario: Callback<()>,
    pub on_export_trace: Callback<()>,
    /// A file was read: (name, text).
    pub on_import: Callback<(String, String)>,
    /// A file could not be read.
    pub on_error: Callback<String>,
}

#[component]
pub fn Session(props: &SessionProps) -> Html {
    let link = use_state(|| None::<String>);
    let link_input = use_node_ref();
    let file_input = use_node_ref();
    let share = {
        let (link, make) = (link.clone(), props.make_link.clone());
        // The field goes until the new link is ready, so what is copied is never an older one.
        Callback::from(move |_: MouseEvent| {
            link.set(None);
            let link = link.clone();
            make.emit(Callback::from(move |made| link.set(Some(made))));
        })
    };
    // Select the link once shown, so copying is one keystroke (clipboard access needs more
    // permissions than a lab should ask for).
    {
        let link_input = link_input.clone();
        use_effect_with((*link).clone(), move |_| {
            if let Some(input) = link_input.cast::<web_sys::HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }
    let export_scenario = {
        let cb = props.on_export_scenario.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let export_trace = {
        let cb = props.on_export_trace.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let pick = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<web_sys::HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_file = {
        let (on_import, on_error) = (props.on_import.clone(), props.on_error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let (on_import, on_error) = (on_import.clone(), on_error.clone());
            read_picked(&input, move |result| match result {
                Ok(file) => on_import.emit(file),
                Err(message) => on_error.emit(message),
            });
        })
    };
    html! {
        <section class="panel session-panel" aria-label={tr!("Share, export and import")} data-testid="session-panel">
            <h2>{ tr!("Share") }</h2>
            <div class="buttons">
                <button type="button" onclick={share} title={tr!("A link to this exact moment of this run, with everything you did")}>{ tr!("Link to this moment") }</button>
                <button type="button" class="secondary" onclick={export_scenario} title={tr!("Your session as a scenario file: the CLI runs it too")}>{ tr!("Export scenario") }</button>
                <button type="button" class="secondary" onclick={export_trace} title={tr!("Every event up to now, with the scenario that makes it")}>{ tr!("Export trace") }</button>
                <button type="button" class="secondary" onclick={pick}>{ tr!("Open a file…") }</button>
                <input ref={file_input} type="file" accept=".json,application/json" class="visually-hidden" aria-label={tr!("Scenario or trace file to open")} tabindex="-1" onchange={on_file} data-testid="import-file" />
            </div>
            if let Some(l) = &*link {
                <label class="share-link">{ tr!("Link (selected: copy it) ") }
                    <input ref={link_input} type="text" readonly=true value={l.clone()} data-testid="share-link" />
                </label>
            }
        </section>
    }
}
