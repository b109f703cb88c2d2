"""The console (工作台): the coordination office's pages and each department's queue, served
by the coordination service under /console, in Simplified Chinese (四(三) 督查, 四(二) 统计).

Every page is drawn on the server from the office's own read model, or, where an official acts
for their department, by calling that department's API with the official's own token
(`session`). Every asset comes from here (static/): a government network has no internet.
"""
