"""The code pane's editor: the lesson's program, editable, with line numbers, Pygments
highlighting, a font size that zooms (for a projector), and marks on lines.

What it shows is what runs: the window runs the editor's text as it is.
"""

from __future__ import annotations

from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from .flow import FlowLayout
from .qtcompat import event_global_pos, event_pos

#: Font sizes the zoom keeps to (points).
MIN_POINTS, MAX_POINTS = 7, 40
ERROR_COLOUR = "#f8d7d3"


class PygmentsHighlighter(QtGui.QSyntaxHighlighter):
    """Python highlighting by Pygments' lexer and one of its styles.

    The whole text is lexed at once (a program here is a page or two), so a string that
    spans lines is coloured right. Each line's state is what it ends inside (a string
    that goes on, or nothing): when an edit changes it, Qt colours the next lines again.
    """

    def __init__(self, document: QtGui.QTextDocument, style: str = "default") -> None:
        self._lexer = PythonLexer(stripnl=False, ensurenl=False)
        self._style = get_style_by_name(style)
        self._formats: dict = {}
        self._lines: list[list[tuple[int, int, QtGui.QTextCharFormat]]] = []
        self._ends: list[int] = []  # per line: the kind of token its newline is in
        self._text: str | None = None  # the text lexed last
        super().__init__(document)

    def _format(self, token) -> QtGui.QTextCharFormat:
        fmt = self._formats.get(token)
        if fmt is None:
            style = self._style.style_for_token(token)
            fmt = QtGui.QTextCharFormat()
            if style["color"]:
                fmt.setForeground(QtGui.QColor(f"#{style['color']}"))
            if style["bold"]:
                fmt.setFontWeight(QtGui.QFont.Weight.Bold)
            fmt.setFontItalic(bool(style["italic"]))
            self._formats[token] = fmt
        return fmt

    def _lex(self, text: str) -> None:
        lines: list[list] = [[] for _ in range(text.count("\n") + 1)]
        ends = [0] * len(lines)
        line, column = 0, 0
        for token, value in self._lexer.get_tokens(text):
            for i, part in enumerate(value.split("\n")):
                if i:  # this token holds the line's newline: the line ends inside it
                    if line < len(ends):
                        ends[line] = hash(token) & 0x3FFFFFFF
                    line, column = line + 1, 0
                if part and line < len(lines):
                    lines[line].append((column, len(part), self._format(token)))
                column += len(part)
        self._lines, self._ends = lines, ends
        self._text = text

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        text_now = self.document().toPlainText()
        if text_now != self._text:  # (a program is a page or two: comparing it costs little)
            self._lex(text_now)
        number = self.currentBlock().blockNumber()
        if number < len(self._lines):
            for start, length, fmt in self._lines[number]:
                self.setFormat(start, length, fmt)
            self.setCurrentBlockState(self._ends[number])  # changed: Qt colours the next line too


class _LineNumbers(QtWidgets.QWidget):
    def __init__(self, editor: "CodeEditor") -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return QtCore.QSize(self.editor.number_width(), 0)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        self.editor.paint_numbers(event)


def fixed_pitch_font() -> QtGui.QFont:
    """The system's fixed-pitch family, with no size of its own: a text view in it follows
    the window's text size (View > Larger text), which the system's font would not."""
    font = QtGui.QFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont).family())
    font.setStyleHint(QtGui.QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    return font


def lay_out_code_pane(pane: QtWidgets.QWidget, title: QtWidgets.QLabel, editor: "CodeEditor",
                      buttons: tuple[QtWidgets.QWidget, ...]) -> None:
    """``pane``: a bar (``title``, then ``buttons``, on as many rows as the width needs)
    over ``editor``, edge to edge."""
    bar = FlowLayout()
    bar.setContentsMargins(4, 2, 4, 2)
    bar.addWidget(title)
    for widget in buttons:
        bar.addWidget(widget)
    layout = QtWidgets.QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addLayout(bar)
    layout.addWidget(editor, 1)


class CodeEditor(QtWidgets.QPlainTextEdit):
    """A plain-text Python editor with line numbers, highlighting, zoom and line marks."""

    zoomed = QtCore.Signal(int)  # the new size in points
    thread_clicked = QtCore.Signal(str)  # a click on a stepped thread's name tag

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("code")
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        if font.pointSizeF() > 0:  # (its size set, not inherited: the window's text size moves it in steps)
            font.setPointSizeF(font.pointSizeF())
        self.setFont(font)
        self.highlighter = PygmentsHighlighter(self.document())
        self._numbers = _LineNumbers(self)
        self._marks: dict[int, str] = {}  # line (1-based) -> why it is marked
        self._thread_marks: list[tuple[int, str, str]] = []  # (line, thread name, colour): stepping
        self._tags: list[tuple[QtCore.QRectF, str]] = []  # where each thread's name was painted
        self.blockCountChanged.connect(self._fit_margin)
        self.updateRequest.connect(self._scroll_numbers)
        self._fit_margin()
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.default_points = self.point_size()  # (View: Normal text size comes back to it)

    def needed_width(self) -> int:
        """Pixels that show the longest line whole: line numbers, text, frame and scroll bar."""
        longest = max((len(line.expandtabs(4)) for line in self.toPlainText().splitlines()), default=0)
        text = self.fontMetrics().horizontalAdvance("M" * (longest + 1))
        chrome = self.viewportMargins().left() + 2 * self.frameWidth() + 2 * int(self.document().documentMargin())
        return text + chrome + self.verticalScrollBar().sizeHint().width() + 4

    # -- text ---------------------------------------------------------------------------------
    def set_program(self, text: str) -> None:
        """Show ``text`` (a new program: the marks and the undo history go)."""
        self._marks = {}
        self.setPlainText(text)
        self._show_marks()

    def replace_text(self, text: str) -> None:
        """Change the whole text to ``text`` as one edit the user can undo."""
        if text == self.toPlainText():
            return
        cursor = self.textCursor()
        position = cursor.position()
        cursor.beginEditBlock()
        cursor.select(QtGui.QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        cursor.setPosition(min(position, len(text)))
        self.setTextCursor(cursor)

    # -- marks --------------------------------------------------------------------------------
    def mark_line(self, line: int, why: str) -> None:
        """Colour ``line`` (1-based) and say ``why`` when the pointer rests on it; scroll to it."""
        self._marks[line] = why
        self._show_marks()
        block = self.document().findBlockByNumber(line - 1)
        if block.isValid():
            cursor = QtGui.QTextCursor(block)
            self.setTextCursor(cursor)
            self.centerCursor()

    def clear_marks(self) -> None:
        if self._marks:
            self._marks = {}
            self._show_marks()

    def marks(self) -> dict[int, str]:
        return dict(self._marks)

    def set_thread_marks(self, marks: list[tuple[int, str, str]]) -> None:
        """Mark the line each stepped thread stops at (``(line, name, colour)``): the line
        tinted in the thread's colour, its name at the right; the first line in view."""
        if marks == self._thread_marks:
            return
        self._thread_marks = list(marks)
        self._tags = []  # (painted again below, where the marks are now)
        self._show_marks()
        self.viewport().update()
        if marks:
            block = self.document().findBlockByNumber(marks[0][0] - 1)
            if block.isValid() and not self._block_in_view(block):
                self.setTextCursor(QtGui.QTextCursor(block))
                self.centerCursor()

    def thread_marks(self) -> list[tuple[int, str, str]]:
        return list(self._thread_marks)

    def _block_in_view(self, block: QtGui.QTextBlock) -> bool:
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        return 0 <= top <= self.viewport().height() - self.blockBoundingRect(block).height()

    def _show_marks(self) -> None:
        selections = []
        for line, _name, colour in self._thread_marks:
            block = self.document().findBlockByNumber(line - 1)
            if block.isValid():
                tint = QtGui.QColor(colour)
                tint.setAlpha(48)
                selection = QtWidgets.QTextEdit.ExtraSelection()
                selection.format.setBackground(tint)
                selection.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
                selection.cursor = QtGui.QTextCursor(block)
                selections.append(selection)
        for line in self._marks:
            block = self.document().findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            selection = QtWidgets.QTextEdit.ExtraSelection()
            selection.format.setBackground(QtGui.QColor(ERROR_COLOUR))
            selection.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QtGui.QTextCursor(block)
            selections.append(selection)
        self.setExtraSelections(selections)
        self._numbers.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self._thread_marks:
            self._paint_thread_names()

    def _paint_thread_names(self) -> None:
        """Each stepped thread's name at the right end of its line, in its colour."""
        by_line: dict[int, list[tuple[str, str]]] = {}
        for line, name, colour in self._thread_marks:
            by_line.setdefault(line, []).append((name, colour))
        painter = QtGui.QPainter(self.viewport())
        font = self.font()
        font.setBold(True)
        painter.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        right = self.viewport().width() - 6
        self._tags = []
        for line, names in by_line.items():
            block = self.document().findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            rect = self.blockBoundingGeometry(block).translated(self.contentOffset())
            x = right
            for name, colour in reversed(names):
                label = f"◀ {name}"
                width = metrics.horizontalAdvance(label) + 8
                x -= width
                box = QtCore.QRectF(x, rect.top() + 1, width - 2, rect.height() - 2)
                self._tags.append((box, name))
                painter.fillRect(box, QtGui.QColor(colour))
                painter.setPen(QtGui.QColor("white"))
                painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, label)
        painter.end()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt's name
        at = QtCore.QPointF(event_pos(event))
        name = next((name for box, name in self._tags if box.contains(at)), None) if self._thread_marks else None
        if name is not None and event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.thread_clicked.emit(name)
            return
        super().mousePressEvent(event)

    def tag_at(self, name: str) -> QtCore.QPoint | None:
        """The middle of the name tag of thread ``name`` in the viewport, if it is painted."""
        box = next((box for box, tag in self._tags if tag == name), None)
        return box.center().toPoint() if box is not None else None

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.ToolTip:
            block = self.cursorForPosition(self.viewport().mapFromGlobal(event_global_pos(event))).block()
            why = self._marks.get(block.blockNumber() + 1)
            if why:
                QtWidgets.QToolTip.showText(event_global_pos(event), why, self)
            else:
                QtWidgets.QToolTip.hideText()
            return True
        return super().event(event)

    # -- zoom ---------------------------------------------------------------------------------
    def point_size(self) -> int:
        return self.font().pointSize()

    def set_point_size(self, points: int) -> None:
        """Set the font size (kept within :data:`MIN_POINTS` to :data:`MAX_POINTS`)."""
        points = max(MIN_POINTS, min(MAX_POINTS, int(points)))
        font = self.font()
        if font.pointSize() == points:
            return
        font.setPointSize(points)
        self.setFont(font)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self._fit_margin()
        self.zoomed.emit(points)

    def zoom(self, steps: int) -> None:
        self.set_point_size(self.point_size() + steps)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier:
            self.zoom(1 if event.angleDelta().y() > 0 else -1)
            return
        super().wheelEvent(event)

    # -- line numbers -------------------------------------------------------------------------
    def number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _fit_margin(self, *_: object) -> None:
        self.setViewportMargins(self.number_width(), 0, 0, 0)

    def _scroll_numbers(self, rect: QtCore.QRect, dy: int) -> None:
        if dy:
            self._numbers.scroll(0, dy)
        else:
            self._numbers.update(0, rect.y(), self._numbers.width(), rect.height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        area = self.contentsRect()
        self._numbers.setGeometry(QtCore.QRect(area.left(), area.top(), self.number_width(), area.height()))

    def paint_numbers(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self._numbers)
        painter.fillRect(event.rect(), QtGui.QColor("#f3f3ef"))
        painter.setFont(self.font())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = round(self.blockBoundingRect(block).height())
        width = self._numbers.width() - 5
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and top + height >= event.rect().top():
                marked = (number + 1) in self._marks
                painter.setPen(QtGui.QColor("#b03a2e" if marked else "#8a8a80"))
                painter.drawText(0, top, width, height, QtCore.Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top += height
            height = round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()
