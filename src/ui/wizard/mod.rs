//! The AutoScale wizard: step 1 the config, step 2 its VM Provider config, step 3 its DNS
//! Provider config. Next stays disabled, with the reason shown, while a step is invalid;
//! Finish writes everything in one transaction; Cancel writes nothing.

pub mod config_step;
pub mod provider_step;
pub mod shared_choice;

use super::connection_test::ConnectionTest;
use super::context::PageContext;
use super::preview_panel::{PreviewInput, PreviewPanel};
use super::store_answer::StoreAnswer;
use crate::model::autoscale::{AutoScaleSpec, ServerScaling};
use crate::model::cloud_list::ListKind;
use crate::model::dns_provider::{DnsProviderSpec, DnsSettings};
use crate::model::field::AutoScaleField;
use crate::model::vm_provider::{ProviderKind, VmProviderSpec};
use crate::model::{AutoScaleId, Pool, ValidationErrors};
use crate::replay::changes::differences;
use crate::scaler::ConnectionTarget;
use crate::store::{AutoScaleRow, StoreError};
use egui::{Id, Key, Modifiers, RichText, Ui};
use shared_choice::{Mode, SharedChoice};

use crate::ui::theme::WIZARD_STEP_HEIGHT;

/// The wizard's steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The AutoScale config's own fields.
    Config,
    /// Its VM Provider config.
    VmProvider,
    /// Its DNS Provider config.
    DnsProvider,
}

impl Step {
    fn title(self) -> &'static str {
        match self {
            Step::Config => "Step 1 of 3: AutoScale Config",
            Step::VmProvider => "Step 2 of 3: VM Provider Config",
            Step::DnsProvider => "Step 3 of 3: DNS Provider Config",
        }
    }
}

/// An open wizard.
pub struct AutoScaleWizard {
    target: Option<AutoScaleId>,
    pool_name: String,
    step: Step,
    spec: AutoScaleSpec,
    vm: SharedChoice<VmProviderSpec>,
    dns: SharedChoice<DnsProviderSpec>,
    reveal: bool,
    failure: Option<String>,
    // The save sent to the window's database thread (PostgreSQL); the wizard stays as it
    // is until it answers.
    saving: StoreAnswer<AutoScaleId>,
    ldap_test: ConnectionTest,
    vm_test: ConnectionTest,
    dns_test: ConnectionTest,
    preview: PreviewPanel,
}

fn blank_dns() -> DnsProviderSpec {
    DnsProviderSpec {
        register: Default::default(),
        name: String::new(),
        endpoint_override: String::new(),
        settings: DnsSettings::new(ProviderKind::Aws).unwrap_or(DnsSettings::DigitalOcean {
            token: Default::default(),
        }),
    }
}

impl AutoScaleWizard {
    /// A new config for `pool`: type and pool are set and not changeable.
    pub fn add(pool: &Pool, ctx: &PageContext<'_>) -> Self {
        let zone = ctx.catalog.zones.first().map(|z| z.id);
        let mut dns = SharedChoice::new(None, blank_dns());
        dns.mode = Mode::None;
        Self {
            target: None,
            pool_name: pool.name.clone(),
            step: Step::Config,
            spec: AutoScaleSpec::new(pool.id, pool.kind, zone),
            vm: SharedChoice::new(None, VmProviderSpec::new(ProviderKind::Aws)),
            dns,
            reveal: false,
            failure: None,
            saving: StoreAnswer::default(),
            ldap_test: ConnectionTest::default(),
            vm_test: ConnectionTest::default(),
            dns_test: ConnectionTest::default(),
            preview: PreviewPanel::default(),
        }
    }

    /// Edits a stored config, starting on its current providers.
    pub fn edit(row: &AutoScaleRow, ctx: &PageContext<'_>) -> Self {
        let catalog = ctx.catalog;
        let mut vm =
            SharedChoice::new(row.spec.vm_provider, VmProviderSpec::new(ProviderKind::Aws));
        if let Some(current) = vm.chosen(&catalog.vm_providers).cloned() {
            vm.pick(&current);
        }
        let mut dns = SharedChoice::new(row.spec.dns_provider, blank_dns());
        match dns.chosen(&catalog.dns_providers).cloned() {
            Some(current) => dns.pick(&current),
            None => dns.mode = Mode::None,
        }
        Self {
            target: Some(row.id),
            pool_name: catalog.pool_name(Some(row.spec.pool)).to_owned(),
            step: Step::Config,
            spec: row.spec.clone(),
            vm,
            dns,
            reveal: false,
            failure: None,
            saving: StoreAnswer::default(),
            ldap_test: ConnectionTest::default(),
            vm_test: ConnectionTest::default(),
            dns_test: ConnectionTest::default(),
            preview: PreviewPanel::default(),
        }
    }

    /// The step on show.
    pub fn step(&self) -> Step {
        self.step
    }

    fn dns_required(&self) -> bool {
        self.spec.scaling.dns_domain().is_some()
    }

    /// The problems of the step on show.
    fn problems(&self, ctx: &PageContext<'_>) -> ValidationErrors {
        let catalog = ctx.catalog;
        match self.step {
            Step::Config => {
                let mut errors = ValidationErrors::default();
                self.spec.check_own_fields(&mut errors);
                let taken = catalog.autoscale.iter().any(|r| {
                    Some(r.id) != self.target
                        && r.spec
                            .name
                            .trim()
                            .eq_ignore_ascii_case(self.spec.name.trim())
                });
                if taken {
                    errors.push(
                        AutoScaleField::Name,
                        format!(
                            "an AutoScale config named '{}' already exists",
                            self.spec.name.trim()
                        ),
                    );
                }
                errors
            }
            Step::VmProvider => {
                self.vm
                    .problems(&catalog.vm_providers, "VM Provider config", false)
            }
            Step::DnsProvider => self.dns.problems(
                &catalog.dns_providers,
                "DNS Provider config",
                !self.dns_required(),
            ),
        }
    }

    /// Draws the wizard; true when it should close.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) -> bool {
        let problems = self.problems(ctx);
        let title = if self.target.is_some() {
            "Edit AutoScale config"
        } else {
            "Add AutoScale config"
        };
        let egui_ctx = ui.ctx().clone();
        let multiline = Id::unique(super::form::MULTILINE_FOCUS);
        // Multi-line editors set this while focused, during the step below.
        egui_ctx.data_mut(|d| d.insert_temp(multiline, false));
        let mut action = None;
        egui::Modal::new(Id::unique("autoscale-wizard")).show(&egui_ctx, |ui| {
            ui.set_width(640.0);
            ui.heading(title);
            ui.label(RichText::new(self.step.title()).strong());
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(WIZARD_STEP_HEIGHT)
                .show(ui, |ui| {
                    let top = ui.cursor().top();
                    self.step_ui(ui, ctx, &problems);
                    // Every step as tall, so Back / Next / Finish stay where they were.
                    let used = ui.cursor().top() - top;
                    if used < WIZARD_STEP_HEIGHT {
                        ui.add_space(WIZARD_STEP_HEIGHT - used);
                    }
                });
            ui.separator();
            if let Some(failure) = &self.failure {
                ui.label(RichText::new(failure).color(ui.visuals().error_fg_color));
            }
            if self.saving.busy() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Saving… the wizard stays open until the database answers.");
                });
            } else {
                action = self.buttons_ui(ui, &problems);
            }
        });
        if egui_ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            action = Some(Action::Cancel);
        }
        // Enter goes on (or finishes) when the step is valid, except in a multi-line editor.
        let in_multiline = egui_ctx.data(|d| d.get_temp::<bool>(multiline).unwrap_or(false));
        if action.is_none()
            && problems.is_empty()
            && !in_multiline
            && egui_ctx.input(|i| i.key_pressed(Key::Enter))
        {
            action = Some(if self.step == Step::DnsProvider {
                Action::Finish
            } else {
                Action::Next
            });
        }
        if self.saving.busy() {
            return self.saved(ctx);
        }
        match action {
            Some(Action::Back) => {
                self.step = match self.step {
                    Step::DnsProvider => Step::VmProvider,
                    _ => Step::Config,
                };
                false
            }
            Some(Action::Next) => {
                self.step = match self.step {
                    Step::Config => Step::VmProvider,
                    _ => Step::DnsProvider,
                };
                false
            }
            Some(Action::Finish) => self.finish(ctx),
            Some(Action::Cancel) => true,
            None => false,
        }
    }

    fn step_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, problems: &ValidationErrors) {
        let catalog = ctx.catalog;
        let errors = Some(problems);
        match self.step {
            Step::Config => {
                let ldap_test = &mut self.ldap_test;
                let scaler = &mut *ctx.scaler;
                // The directory the computer records go to: bind, and look for the OU.
                let mut directory_test = |ui: &mut Ui, s: &ServerScaling| {
                    let Some(ldap) = s
                        .ldap_config
                        .and_then(|id| catalog.ldap.iter().find(|row| row.id == id))
                    else {
                        return;
                    };
                    let ou = s.ad_computer_ou_dn.trim().to_owned();
                    ldap_test.ui(ui, scaler, || {
                        let ous = if ou.is_empty() { vec![] } else { vec![ou] };
                        Some(ConnectionTarget::Ldap(Box::new(ldap.spec.clone()), ous))
                    });
                };
                config_step::ui(
                    ui,
                    &mut self.spec,
                    &self.pool_name,
                    catalog,
                    errors,
                    &mut self.reveal,
                    &mut directory_test,
                );
            }
            Step::VmProvider => {
                let picked = provider_step::vm_ui(
                    ui,
                    &mut self.vm,
                    &catalog.vm_providers,
                    &self.spec.name,
                    errors,
                    &mut self.reveal,
                    ctx.scaler,
                );
                if let Some((ListKind::Sizes, entry)) = picked
                    && let Some(size) = entry.size
                {
                    self.spec.scaling.size_from(&size);
                }
                let draft = &self.vm.draft;
                self.vm_test.ui(ui, ctx.scaler, || {
                    Some(ConnectionTarget::Vm(Box::new(draft.clone())))
                });
            }
            Step::DnsProvider => {
                let required = self.dns_required();
                provider_step::dns_ui(
                    ui,
                    &mut self.dns,
                    &catalog.dns_providers,
                    &self.spec.name,
                    required,
                    errors,
                    &mut self.reveal,
                );
                if self.dns.mode != Mode::None {
                    let draft = &self.dns.draft;
                    self.dns_test.ui(ui, ctx.scaler, || {
                        Some(ConnectionTarget::Dns(Box::new(draft.clone())))
                    });
                }
                ui.add_space(8.0);
                self.preview_ui(ui, ctx);
            }
        }
    }

    /// The last step's Preview: the pool's recorded demand against the stored values (or the
    /// pool without this config, when it is new) and the wizard's.
    fn preview_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let stored = self
            .target
            .and_then(|id| ctx.catalog.autoscale.iter().find(|r| r.id == id))
            .map(|r| &r.spec);
        // The provider as stored decides the current side; the form's Max instances the
        // candidate's.
        let provider = match self.vm.mode {
            Mode::Existing => self.vm.chosen(&ctx.catalog.vm_providers).map(|r| &r.spec),
            _ => Some(&self.vm.draft),
        };
        let candidate_max = self.vm.draft.max_instances.trim().parse::<u32>().ok();
        let candidate = &self.spec;
        let changes = stored.map_or_else(Vec::new, |s| differences(s, candidate));
        egui::CollapsingHeader::new(RichText::new("Preview").strong())
            .id_salt("wizard-preview")
            .default_open(true)
            .show(ui, |ui| {
                self.preview.ui(
                    ui,
                    ctx.store,
                    ctx.worker,
                    PreviewInput {
                        target: self.target,
                        current: stored,
                        candidate,
                        provider,
                        candidate_max,
                        changes,
                    },
                );
            });
    }

    fn buttons_ui(&self, ui: &mut Ui, problems: &ValidationErrors) -> Option<Action> {
        let mut action = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.step != Step::Config, egui::Button::new("Back"))
                .clicked()
            {
                action = Some(Action::Back);
            }
            let valid = problems.is_empty();
            let (label, next) = if self.step == Step::DnsProvider {
                ("Finish", Action::Finish)
            } else {
                ("Next", Action::Next)
            };
            if ui.add_enabled(valid, egui::Button::new(label)).clicked() {
                action = Some(next);
            }
            if ui.button("Cancel").clicked() {
                action = Some(Action::Cancel);
            }
        });
        if let Some(first) = problems.errors().first() {
            let more = problems.errors().len() - 1;
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            ui.label(
                RichText::new(format!(
                    "To continue, fix {}: {}{tail}",
                    first.field.label(),
                    first.message
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        action
    }

    fn finish(&mut self, ctx: &mut PageContext<'_>) -> bool {
        let Some(vm) = self.vm.choice() else {
            self.step = Step::VmProvider;
            return false;
        };
        let dns = self.dns.choice();
        let (target, spec) = (self.target, self.spec.clone());
        self.failure = None;
        self.saving.start(ctx, move |store| {
            store.save_autoscale(target, &spec, &vm, dns.as_ref())
        });
        // Run here, it has answered already.
        self.saved(ctx)
    }

    /// Takes the answer of the save on its way; true when saved, so the wizard closes.
    fn saved(&mut self, ctx: &mut PageContext<'_>) -> bool {
        match self.saving.answer() {
            Some(saved) => self.answered(ctx, saved),
            None => false,
        }
    }

    fn answered(
        &mut self,
        ctx: &mut PageContext<'_>,
        saved: Result<AutoScaleId, StoreError>,
    ) -> bool {
        match saved {
            Ok(_) => {
                ctx.succeeded(format!("AutoScale config {} saved", self.spec.name.trim()));
                true
            }
            Err(StoreError::Invalid(errors)) => {
                self.failure = Some(format!("Nothing was saved: {errors}"));
                false
            }
            Err(e) => {
                self.failure = Some(format!("Nothing was saved: {e}"));
                false
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Back,
    Next,
    Finish,
    Cancel,
}
