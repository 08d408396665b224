"""The code pane's editor: Pygments colours, line numbers, zoom, marked lines, undoable edits."""

from pyqtgraph.Qt import QtGui

from app.gui.editor import MAX_POINTS, MIN_POINTS, CodeEditor

PROGRAM = 'from threading import Thread\n\n"""a string\nover two lines"""\nSIZE = 10  # rows\n'


def formats_of_line(editor, number):
    block = editor.document().findBlockByNumber(number)
    # (copies: under PySide6 a range's format lives only as long as the list it came in)
    return [(r.start, r.length, QtGui.QTextCharFormat(r.format)) for r in block.layout().formats()]


def test_python_is_coloured_by_pygments_strings_over_lines_included(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_program(PROGRAM)
    keyword = formats_of_line(editor, 0)[0]
    assert keyword[:2] == (0, 4) and keyword[2].fontWeight() == QtGui.QFont.Weight.Bold  # "from"
    second = formats_of_line(editor, 3)  # the string's second line is still a string
    assert second and second[0][2].foreground().color() == formats_of_line(editor, 2)[0][2].foreground().color()
    comment = formats_of_line(editor, 4)[-1]
    assert comment[2].fontItalic()  # "# rows"


def test_the_font_zooms_within_bounds(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_point_size(12)
    editor.zoom(3)
    assert editor.point_size() == 15
    editor.set_point_size(1000)
    assert editor.point_size() == MAX_POINTS
    editor.set_point_size(1)
    assert editor.point_size() == MIN_POINTS


def test_a_marked_line_is_coloured_until_cleared_and_a_new_program_clears_it(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_program(PROGRAM)
    editor.mark_line(5, "SIZE must be 1000 to 2000000")
    assert editor.marks() == {5: "SIZE must be 1000 to 2000000"} and len(editor.extraSelections()) == 1
    assert editor.textCursor().blockNumber() == 4
    editor.clear_marks()
    assert editor.extraSelections() == []
    editor.mark_line(1, "x")
    editor.set_program("pass\n")
    assert editor.marks() == {}


def test_replacing_the_text_is_one_edit_the_user_can_undo(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_program(PROGRAM)
    editor.replace_text(PROGRAM.replace("SIZE = 10", "SIZE = 20"))
    assert "SIZE = 20" in editor.toPlainText()
    editor.undo()
    assert editor.toPlainText() == PROGRAM
    assert editor.number_width() > editor.fontMetrics().horizontalAdvance("99")
