"""Running the real app one frame at a time: for ``kiosk screenshot``, the UI tests and the benchmark.

Why not ``App.run()``: it blocks until the app stops. Here the app is prepared exactly as ``run()``
does, and each :meth:`Harness.step` runs one turn of Kivy's main loop (clock, input, draw), with the
same exception handling, so the error overlay behaves as on the terminal. Taps are real touch events
that go through the window, the idle monitor and the widgets' own touch handling.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

from kivy.base import EventLoop, ExceptionManager, runTouchApp
from kivy.input.motionevent import MotionEvent

_touch_ids = itertools.count(1000)


class _Touch(MotionEvent):
    """One finger at a window position (pixels)."""

    def __init__(self, x: float, y: float):
        win = EventLoop.window
        super().__init__("kiosk-harness", next(_touch_ids), {"x": x / win.width, "y": y / win.height},
                         is_touch=True, type_id="touch")

    def depack(self, args):
        self.profile = ["pos"]
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)


class Harness:
    def __init__(self, app) -> None:
        self.app = app
        self.flips = 0
        self.started = False

    def _flipped(self, *_args) -> None:
        self.flips += 1

    def start(self) -> Harness:
        self.app._run_prepare()  # what App.run() does before its loop: build, add to window, on_start
        runTouchApp(embedded=True)  # input providers and EventLoop.start(), without the blocking loop
        EventLoop.window.bind(on_flip=self._flipped)
        self.started = True
        self.step(3)
        return self

    @staticmethod
    def _guarded(work: Callable[[], object]) -> None:
        """Run ``work`` as Kivy's main loop runs a frame: exceptions go to the ExceptionManager."""
        try:
            work()
        except BaseException as exc:
            if ExceptionManager.handle_exception(exc) == ExceptionManager.RAISE:
                raise

    @staticmethod
    def _frame() -> None:
        EventLoop.idle()
        if EventLoop.window:
            EventLoop.window.mainloop()

    def step(self, frames: int = 1) -> None:
        """Run ``frames`` turns of the main loop."""
        for _ in range(frames):
            self._guarded(self._frame)

    def until(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.step()
        return True

    # -- input -----------------------------------------------------------------------------------
    def press(self, widget) -> _Touch:
        x, y = widget.to_window(*widget.center)
        touch = _Touch(x, y)
        self._guarded(lambda: EventLoop.post_dispatch_input("begin", touch))
        return touch

    def release(self, touch: _Touch) -> None:
        self._guarded(lambda: EventLoop.post_dispatch_input("end", touch))

    def tap(self, widget, frames: int = 1) -> None:
        """A real single tap in the middle of ``widget``."""
        self.release(self.press(widget))
        self.step(frames)

    # -- pictures --------------------------------------------------------------------------------
    def screenshot(self, path: Path | str) -> Path:
        """The whole window (overlays included) as a PNG, drawn off-screen into an Fbo."""
        from kivy.core.image import Image as CoreImage
        from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate

        win = EventLoop.window
        width, height = win.size
        fbo = Fbo(size=(width, height), with_stencilbuffer=True)
        with fbo:
            ClearColor(*win.clearcolor)
            ClearBuffers()
            Scale(1, -1, 1)
            Translate(0, -height, 0)
        parent = win.render_context
        index = parent.indexof(win.canvas)
        parent.remove(win.canvas)
        try:
            fbo.add(win.canvas)
            fbo.draw()
            fbo.remove(win.canvas)
        finally:
            parent.insert(index, win.canvas)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        CoreImage(fbo.texture).save(str(path), flipped=False)
        return path

    def stop(self) -> None:
        if self.started:
            EventLoop.window.unbind(on_flip=self._flipped)
            self.app.stop()
            self.started = False
