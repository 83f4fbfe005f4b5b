//! Entry point of the playground's web app: installs the panic banner and mounts the Yew app.

fn main() {
    playground_web::panic_banner::install();
    yew::Renderer::<playground_web::app::App>::new().render();
}
