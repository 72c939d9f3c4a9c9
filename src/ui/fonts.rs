//! Fonts: egui's proportional font lacks arrows (▲ ▼ ←); its monospace font has them, so it
//! is added as a fallback rather than shipping another font.

/// Adds the monospace font as a fallback of the proportional family.
pub fn install_fallbacks(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    let monospace = fonts
        .families
        .get(&egui::FontFamily::Monospace)
        .and_then(|family| family.first())
        .cloned();
    if let (Some(monospace), Some(proportional)) = (
        monospace,
        fonts.families.get_mut(&egui::FontFamily::Proportional),
    ) && !proportional.contains(&monospace)
    {
        proportional.push(monospace);
    }
    ctx.set_fonts(fonts);
}
