//! One frame of the window, as the window benchmarks draw it: 1280 × 800, no GPU (the font
//! textures are dropped knowingly), tessellated.

use pooladmin::ui::PoolAdminApp;

/// Draws one frame of `app` in `ctx`.
pub fn frame(ctx: &egui::Context, app: &mut PoolAdminApp) -> Vec<egui::ClippedPrimitive> {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, |ui| app.show(ui));
    output.textures_delta.clear();
    ctx.tessellate(output.shapes, output.pixels_per_point)
}
