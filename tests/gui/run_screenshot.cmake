# gui.screenshot: runs the real app under Xvfb with --demo --screenshot, from a fresh profile in the
# build tree (its own state folder, settings and XDG folders; any free port), so it neither sees
# nor touches the user's, nor takes port 6881 from anything else on the machine.
#   cmake -DAPP=... -DXVFB_RUN=... -DOUT=dir -P run_screenshot.cmake
file(REMOVE_RECURSE ${OUT}/state ${OUT}/xdg)
file(REMOVE ${OUT}/main-window.png ${OUT}/main-window-preferences.png)
file(MAKE_DIRECTORY ${OUT}/state)
file(WRITE ${OUT}/state/tessera.conf "[connection]\nlisten_port=0\n")
set(ENV{XDG_CONFIG_HOME} ${OUT}/xdg/config)
set(ENV{XDG_CACHE_HOME} ${OUT}/xdg/cache)
set(ENV{XDG_DATA_HOME} ${OUT}/xdg/data)
unset(ENV{QT_QPA_PLATFORM})
execute_process(
  COMMAND ${XVFB_RUN} -a -s "-screen 0 1440x900x24"
          ${APP} --state-dir ${OUT}/state --demo --screenshot ${OUT}/main-window.png
  RESULT_VARIABLE result
  TIMEOUT 140)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "tessera --screenshot failed: ${result}")
endif()
foreach(png IN ITEMS main-window.png main-window-preferences.png)
  if(NOT EXISTS ${OUT}/${png})
    message(FATAL_ERROR "missing ${OUT}/${png}")
  endif()
endforeach()
message(STATUS "screenshots in ${OUT}")
