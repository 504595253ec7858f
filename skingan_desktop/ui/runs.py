"""Runs of the fill: start one, follow its progress, show its results, keep them on the shelf,
apply one.

One run at a time, in the background (the ``inference`` slot of ``ui/jobs.py``). Its 512
result appears in the compare panes as soon as it exists, the refined one after it. Every
finished (or cancelled) run goes on the document's results shelf (``engine/shelf.py``); the
compare panes show a run of the shelf only while the mask and the photo under it are the ones
it was made for, so a result is never applied over a changed mask or over a heal, and undoing
an apply brings its run back. The run panel's estimate is kept here too. No tensor maths here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..engine.estimate import corrected_scale, run_seconds
from ..engine.runner import InpaintSettings, Inpainter, RegionResult, composite_crop
from ..engine.shelf import Run
from .qt_images import photo_to_qimage
from .results_panel import ResultsPanel
from .time_left import TimeLeft, describe as describe_time_left, duration
from .jobs import INFERENCE
from .worker import InpaintJob

if TYPE_CHECKING:
    from .main_window import MainWindow


class RunControl(QObject):
    ended = Signal(bool)  # a run ended: its results are on show (True), or it was cancelled bare or failed

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.panel = ResultsPanel(window)
        self.panel.chosen.connect(self.show_run)
        self.shown: Optional[Run] = None      # the run in the compare panes
        self.pass_seconds: Optional[float] = None  # one 512x512 pass of the loaded model, timed at load
        self._job: Optional[InpaintJob] = None  # the last run started (to cancel it)
        self._partial: dict[int, RegionResult] = {}
        self._mask: Optional[np.ndarray] = None  # the hole of the run going on
        self._label = ""
        self._side = 1024  # the refined size of the run going on
        self._started = 0.0
        self._estimate = 0.0
        self._time_left = TimeLeft()  # restarts by itself when a run's first stage begins
        self._refresh_timer = QTimer(self)  # the estimate and the shelf follow the mask, a moment later
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(self.refresh)
        window.undo_stack.indexChanged.connect(lambda _: self._refresh_timer.start())
        window.run_panel.changed.connect(self._refresh_timer.start)

    @property
    def running(self) -> bool:
        return self.window.jobs.busy(INFERENCE)

    def inpaint_settings(self) -> InpaintSettings:
        """The engine settings from the user's preferences and the run panel."""
        settings = self.window.settings
        return InpaintSettings(n_iters=settings.n_iters, feather=settings.feather, refine=settings.refine,
                               texture_strength=settings.texture_strength, context=settings.context,
                               refined_side=settings.refined_side)

    def _describe_settings(self, settings: InpaintSettings) -> str:
        said = [f"refined {settings.refined_side} px" if settings.refine else "512 only"]
        if settings.feather:
            said.append(f"feather {settings.feather} px")
        if settings.context != 2.0:
            said.append(f"context {settings.context:g}x")
        return ", ".join(said)

    # --- running ----------------------------------------------------------------------------
    def run(self) -> None:
        window = self.window
        if window.photo is None or self.running:
            return
        alpha = window.mask_alpha()
        hole = window.document.hole()
        if not hole.any():
            window.show_error("The mask is empty: paint over the tattoo or blemish first.")
            return
        if window.generator is None:
            weights = window.configured_weights()
            if weights is None:
                window.show_error("No model is loaded: choose a weights file with File > Load weights… "
                                  "(for example big-lama's best.ckpt).")
                return
            window.load_weights(weights, then=self.run)
            return
        settings = self.inpaint_settings()
        # The mask's soft edge (a soft brush, a lasso's antialiased outline) blends the fill by it.
        job = InpaintJob(Inpainter(window.generator, settings), window.photo.copy(), hole, alpha=alpha)
        job.preview_ready.connect(self._preview_ready)
        job.progress.connect(self._progress)
        job.notice.connect(self._notice)
        self._job, self._partial, self._mask = job, {}, hole
        self._label = self._describe_settings(settings)
        self._started = time.perf_counter()
        self._estimate = (run_seconds(self._mask, settings, self.pass_seconds, window.settings.estimate_scale)
                          if self.pass_seconds is not None else 0.0)
        self.shown = None
        self._side = settings.refined_side
        window.compare.refined_side = settings.refined_side
        window.compare.clear()
        window.compare.show()
        window.progress.setRange(0, 0)
        window.progress.show()
        window.cancel_button.show()
        window.jobs.start(INFERENCE, job, self._finished, self._failed)
        window.update_actions()

    def cancel(self) -> None:
        if self.running and self._job is not None:
            self._job.cancel()  # it ends with the 512 results of the regions done so far
            self.window.show_status("Cancelling…")

    def abandon(self) -> None:
        """Stop the running job and stop listening to it; its thread ends on its own."""
        if self.running:
            self.window.jobs.drop(INFERENCE)  # cancelled; nothing it sends is shown
            self._job = None
            self.window.progress.hide()
            self.window.cancel_button.hide()
            self.window.update_actions()

    def photo_replaced(self) -> None:
        """Another photo is open: nothing of the last one's runs applies to it."""
        self.abandon()
        self.shown = None
        self.window.compare.clear()
        self.window.compare.hide()
        self.panel.show_runs([], None)

    def _from_current_job(self) -> bool:
        """Signals from a job that was abandoned (new photo, applied result) are ignored."""
        return self.window.jobs.is_current(INFERENCE, self.sender())

    def _progress(self, stage: str, step: int, total: int) -> None:
        if not self._from_current_job():
            return
        progress = self.window.progress
        progress.setRange(0, max(total, 1))
        progress.setValue(step)
        left = self._time_left.update(stage, step, total)
        if left is None and self._estimate > 0:  # until the pace of the steps is known: the run's estimate
            left = max(self._estimate - (time.perf_counter() - self._started), 0.0)
        progress.setFormat(f"{stage} %p%" + (f" · {describe_time_left(left)}" if left is not None else ""))

    def _preview_ready(self, index: int, result: RegionResult) -> None:
        if not self._from_current_job():
            return
        self._partial[index] = result
        results = list(self._partial.values())
        photo, compare = self.window.photo, self.window.compare
        compare.set_original(photo_to_qimage(composite_crop(photo, results, None)))
        compare.set_quick(photo_to_qimage(composite_crop(photo, results, False)))
        self.window.update_actions()

    def _ended(self) -> float:
        self._job = None
        self.window.progress.hide()
        self.window.cancel_button.hide()
        return time.perf_counter() - self._started

    def _finished(self, results: Optional[list[RegionResult]]) -> None:
        elapsed = self._ended()
        window = self.window
        assert self._mask is not None
        if results is None:
            window.show_status("Inpainting cancelled")
            if not self._partial:
                window.compare.hide()
                window.update_actions()
                self.ended.emit(False)
                return
            # the 512 results of the regions done so far can still be used
            done = [self._partial[index] for index in sorted(self._partial)]
            self.shown = window.document.shelf.add(self._mask, done, "512 only (refinement cancelled)", elapsed,
                                                   self._side)
            window.compare.set_refined(None, "Refinement cancelled: the 512 result is ready")
        else:
            self.shown = window.document.shelf.add(self._mask, results, self._label, elapsed, self._side)
            window.run_label.setText(f"Last run {elapsed:.1f} s")
            window.settings.estimate_scale = corrected_scale(window.settings.estimate_scale, self._estimate, elapsed)
            self._show_refined(self.shown)
            window.show_status(f"Inpainted {len(results)} area(s) in {elapsed:.1f} s")
        self.panel.show_runs(window.document.shelf.matching(self._mask, window.photo), self.shown)
        window.update_actions()
        self.ended.emit(True)

    def _show_refined(self, run: Run) -> None:
        if run.has_refined:
            self.window.compare.set_refined(photo_to_qimage(composite_crop(self.window.photo, run.results, True)))
        else:
            # The pane shows the original then: the 512 result and the photo as it was, side by side.
            self.window.compare.set_refined(None, "The original (this run made no refined result)")

    def _notice(self, message: str) -> None:
        if not self._from_current_job():
            return
        # A fall-back from the GPU moves the generator itself (``Module.to`` works in place), so
        # the model is already where the run goes on: the user is told, and the label follows.
        self.window.show_status(message)
        self.window.models.update_label()  # the status bar says where the model is now

    def _failed(self, message: str) -> None:
        self._ended()
        self.window.show_error(f"Inpainting failed: {message}")
        self.window.update_actions()
        self.ended.emit(False)

    # --- the shelf --------------------------------------------------------------------------
    def show_run(self, run: Run) -> None:
        """Put ``run``'s results in the compare panes."""
        window = self.window
        self.shown = run
        window.compare.refined_side = run.refined_side
        window.compare.clear()
        window.compare.show()
        window.compare.set_original(photo_to_qimage(composite_crop(window.photo, run.results, None)))
        window.compare.set_quick(photo_to_qimage(composite_crop(window.photo, run.results, False)))
        self._show_refined(run)
        self.panel.mark_shown(run)
        window.update_actions()

    def refresh(self) -> None:
        """After an edit (or its undo): the runs that fit the mask and photo as they are now are
        offered; when the one on show no longer fits, the newest that does is shown, or none."""
        window = self.window
        hole = self._hole()  # the mask is read once for both
        self._update_estimate(hole)
        if self.running or window.photo is None:
            return
        runs = window.document.shelf.matching(hole, window.photo) if hole is not None else []
        self.panel.show_runs(runs, self.shown if self.shown in runs else None)
        if self.shown in runs:
            return
        if runs:
            self.show_run(runs[-1])
        elif self.shown is not None or window.compare.isVisible():
            self.shown = None
            window.compare.clear()
            window.compare.hide()
            window.update_actions()

    def apply(self, refined: bool) -> None:
        window = self.window
        if self.shown is not None:
            results = self.shown.results
        elif self.running and self._partial:  # the 512 result while the refinement goes on
            results = [self._partial[index] for index in sorted(self._partial)]
        else:
            return
        if refined and any(r.refined is None for r in results):
            return
        hole = self._hole()
        hole = hole if hole is not None else np.zeros((1, 1), bool)
        made_for = self.shown.made_for(hole) if self.shown is not None else np.array_equal(hole, self._mask)
        if not made_for:
            window.show_status("The mask changed since these results were made: run again to fill it as it is now.")
            return
        fits = self.shown.fits(window.photo) if self.shown is not None else all(
            r.source is not None and np.array_equal(window.photo[r.region.slices], r.source) for r in results)
        if not fits:
            window.show_status("The photo changed since these results were made (a heal or clone stroke): "
                               "run again to fill it as it is now.")
            return
        self.abandon()  # a refinement still running would be for the photo as it was
        window.document.apply_results(results, refined)
        self.shown = None
        window.compare.clear()
        window.compare.hide()
        window.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # keys (\, arrows) go to the photo, not the history
        window.update_actions()
        window.show_status("Result applied; paint the next area or export (undo it to try another result)")

    def _hole(self) -> Optional[np.ndarray]:
        """What a run fills: every pixel the mask covers at all (its soft edge is blended)."""
        return None if self.window.document is None else self.window.document.hole()

    # --- the estimate -----------------------------------------------------------------------
    def _update_estimate(self, hole: Optional[np.ndarray]) -> None:
        """The run panel says how long a run of ``hole`` (the mask as it is) would take."""
        window = self.window
        if hole is None or not hole.any():
            window.run_panel.show_estimate("Paint a mask to see how long a run takes.")
        elif self.pass_seconds is None:
            window.run_panel.show_estimate("The estimate comes once the model is loaded (at the first run).")
        else:
            seconds = run_seconds(hole, self.inpaint_settings(), self.pass_seconds, window.settings.estimate_scale)
            what = f"Refined at {window.settings.refined_side} px" if window.settings.refine else "The 512 result only"
            window.run_panel.show_estimate(f"{what}: {duration(seconds)} on this machine.")

    def model_loaded(self, pass_seconds: float) -> None:
        self.pass_seconds = pass_seconds
        self._refresh_timer.start()
